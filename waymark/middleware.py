"""A request id for every request, carried into the audit trail and the response."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Take a well-formed X-Request-ID from the proxy, or make one; echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class OrganizationTimeMiddleware:
    """Staff read times in their organization's time zone ("acknowledged by Bob 14:05").

    Patients and anonymous requests keep the server's zone here (patient pages format
    times in the patient's own zone where they show them).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from waymark.access import Capability, actor_for, can

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = actor_for(request)
            if actor.organization is not None and can(actor, Capability.VIEW_CASELOAD):
                timezone.activate(zoneinfo.ZoneInfo(actor.organization.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
