"""A request id for every request, carried into the audit trail and the response."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# A client's (or proxy's) own id for the request: printable, no spaces, bounded.
_SAFE_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def client_request_id(request: HttpRequest) -> str:
    """The `X-Request-ID` the client sent, if well-formed; "" otherwise (never trusted
    as Waymark's own id: a client could otherwise pin audit rows to a request of its
    choosing)."""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _SAFE_CLIENT_REQUEST_ID.fullmatch(incoming) else ""


class RequestIdMiddleware:
    """Give every request an id of Waymark's own making and echo it back.

    The id in the audit trail is always this server-made one (issue 12, point 4). A
    well-formed `X-Request-ID` from the client or a proxy is kept beside it, as
    `request.client_request_id` (its own audit column), to correlate with their logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request.client_request_id = client_request_id(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class OrganizationTimeMiddleware:
    """Staff read times in their organization's time zone ("acknowledged by Bob 14:05");
    a patient reads every time in their own zone (issue 15, point 4: the plan's save time,
    their check-ins, their notifications). Others keep the server's zone (UTC).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from waymark.access import (
            Capability,
            actor_for,
            can,
            own_patient_record,
            remember_actor,
        )

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = actor_for(request)
            if actor.organization is not None and can(actor, Capability.VIEW_CASELOAD):
                timezone.activate(zoneinfo.ZoneInfo(actor.organization.timezone))
            elif actor.organization is not None and can(actor, Capability.USE_PATIENT_APP):
                try:
                    patient = own_patient_record(actor)
                except PermissionDenied:
                    patient = None
                if patient is not None:
                    # Kept on the actor: the page's own_patient_record reads it from there.
                    remember_actor(request, actor.membership, own_record=patient)
                    timezone.activate(zoneinfo.ZoneInfo(patient.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
