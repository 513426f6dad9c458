"""Throttling (issue 12, point 6): who is asking, and how often they may.

- `client_ip`: the address a request really came from. REMOTE_ADDR, unless
  TRUSTED_PROXY_COUNT proxies of ours stand in front: each appends the address it saw to
  X-Forwarded-For, so the client's is that many places from the right. Anything further
  left was written by the client and is never believed. The audit trail, django-axes
  and the API's throttle all read it.
- `SignInThrottle`: django-axes' database handler, counting wrong passwords twice — per
  username and address (AXES_FAILURE_LIMIT) and per address across every username
  (SIGN_IN_ADDRESS_FAILURE_LIMIT, higher, so a clinic behind one address is not locked
  out by a few typos, but password spraying from one address is).
- `ApiWriteThrottleMiddleware`: API writes (POST, PUT, PATCH, DELETE under /api/) are
  limited per device token (per person for a browser session) with django-ratelimit,
  counted in the Django cache: a 429 in the one error shape, with Retry-After.
  API_WRITE_THROTTLE=0 switches it off (the benchmarks do).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from axes.helpers import get_client_username  # type: ignore[import-untyped]
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import get_usage

from waymark.accounts.models import hash_token
from waymark.errors import error_json

API_PREFIX = "/api/"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def client_ip(request: HttpRequest) -> str:
    """The client's address, believing X-Forwarded-For only as far as our own proxies."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted:
        return remote  # a request that did not pass through every proxy we trust
    candidate = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class SignInThrottle(AxesDatabaseHandler):
    """Wrong passwords counted per username + address and per address alone.

    AXES_LOCKOUT_PARAMETERS is `[["username", "ip_address"], "ip_address"]` (in that
    order); axes compares one number with AXES_FAILURE_LIMIT, so the address's count is
    scaled to it: `per_address * L // A >= L` exactly when `per_address >= A`.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_pair, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(per_pair, per_address * limit // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful sign-in forgets that person's mistakes from that address only: the
        other usernames tried from there still count (a sprayer with one real account
        cannot wipe the address's count by signing in)."""
        username = get_client_username(request, credentials)
        ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
        return count


def _writer(group: str, request: HttpRequest) -> str:
    """Whose budget a write spends: the device token's, else the signed-in person's,
    else (nobody yet: the API will answer 401) the address's."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return f"token:{hash_token(token.strip())}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_ip(request)}"


class ApiWriteThrottleMiddleware:
    """At most API_WRITE_RATE writes per token (django-ratelimit's `n/s|m|h|d`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.API_WRITE_THROTTLE
            and request.method in WRITE_METHODS
            and request.path.startswith(API_PREFIX)
        ):
            usage = get_usage(
                request,
                group="api-write",
                key=_writer,
                rate=settings.API_WRITE_RATE,
                method=WRITE_METHODS,
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                # The window ends at time_left and a new one starts the second after.
                return too_many(usage["time_left"] + 1)
        return self.get_response(request)


def too_many(retry_after: int) -> JsonResponse:
    seconds = max(int(retry_after), 1)
    message = f"Too many changes from this device; try again in {seconds} seconds."
    response = JsonResponse(error_json("throttled", message), status=429)
    response["Retry-After"] = str(seconds)
    return response
