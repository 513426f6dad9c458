"""Sessions that end, and the second factor before anything else (issue 12 points 1, 2).

- `SessionLimitsMiddleware`: a session ends a fixed time after sign-in (staff:
  STAFF_SESSION_HOURS; others: SESSION_COOKIE_AGE), and a staff session also after its
  organization's `staff_idle_minutes` without a request.
- `SecondFactorMiddleware`: a session that still owes its second factor reaches only the
  sign-in steps: pages redirect to enrolment or to the code, the API answers 401 in the one
  error shape. Device tokens are not sessions: a request with a bearer token goes on to the
  API's token authentication unchanged.

Ending every session of a person (a new password, "sign out everywhere") is not here:
Django checks each session's hash of the password and the user's session stamp
(accounts.models.User) on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse

from waymark.access import actor_for, must_use_second_factor
from waymark.errors import error_json

STARTED_KEY = "waymark_started_at"
SEEN_KEY = "waymark_seen_at"
SECOND_FACTOR_DUE_KEY = "waymark_second_factor_due"
SEEN_RESOLUTION = 60  # seconds: the last request's time is written at most this often

# What a session that owes its second factor may still reach.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:verify",
        "accounts:enrol",
        "accounts:password_reset",
        "accounts:set_password",
        "help",
        "help_offline",
        "healthz",
        "api:openapi-json",
        "api:openapi-view",
    }
)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _signed_out(request: HttpRequest, ended: str) -> HttpResponse:
    if is_api(request):
        message = "Your session has ended. Sign in again."
        return JsonResponse(error_json("unauthenticated", message), status=401)
    query = urlencode({"next": request.get_full_path(), "ended": ended})
    return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self.ended(request)
            if ended:
                logout(request)
                return _signed_out(request, ended)
        return self.get_response(request)

    @staticmethod
    def ended(request: HttpRequest) -> str:
        """Why the session ends now ("idle", "expired"), or "" while it goes on."""
        session, now = request.session, time.time()
        started = session.setdefault(STARTED_KEY, now)
        seen = session.get(SEEN_KEY, started)
        actor = actor_for(request)
        staff = must_use_second_factor(actor)
        limit = settings.STAFF_SESSION_HOURS * 3600 if staff else settings.SESSION_COOKIE_AGE
        if now - started > limit:
            return "expired"
        if staff:
            organization = actor.organization
            idle_minutes = organization.staff_idle_minutes if organization else 30
            if now - seen > idle_minutes * 60:
                return "idle"
        if SEEN_KEY not in session or now - seen >= SEEN_RESOLUTION:
            session[SEEN_KEY] = now
        return ""


def start_session(request: HttpRequest, user: Any) -> None:
    """At sign-in (user_logged_in): when the session started, and whether it owes a second
    factor although the person is not staff (a patient who chose to enrol)."""
    from waymark.accounts.mfa import has_second_factor

    request.session[STARTED_KEY] = request.session[SEEN_KEY] = time.time()
    request.session[SECOND_FACTOR_DUE_KEY] = has_second_factor(user)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if is_api(request) and request.headers.get("Authorization", "").startswith("Bearer "):
            return None  # a device token: the API's own authentication decides
        owed = request.session.get(SECOND_FACTOR_DUE_KEY) or must_use_second_factor(
            actor_for(request)
        )
        if not owed:
            return None
        if is_api(request):
            message = "Finish signing in: enter the code from your authenticator app."
            return JsonResponse(error_json("unauthenticated", message), status=401)
        from waymark.accounts.mfa import has_second_factor

        step = "accounts:verify" if has_second_factor(user) else "accounts:enrol"
        return HttpResponseRedirect(
            f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        )
