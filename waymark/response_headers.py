"""Response headers that keep patient data out of caches and lock down what a page may do
(issue 12, points 3 and 7).

- `NoStoreMiddleware` (after AuthenticationMiddleware): `Cache-Control: no-store, private`
  on every response to a signed-in person and on every API response, whatever the view
  said; any other response that did not choose its own caching gets it too (the sign-in
  page carries a CSRF token). Static files never reach it: WhiteNoise answers them first,
  so they stay cacheable. A signed-in person's responses also name their offline cache
  (`Waymark-Cache-Key`, an HMAC of the user id, never the username) and how long the
  session can last (`Waymark-Session-Expires-In`, seconds), so the service worker keeps
  pages only for that person and for no longer than their session.
- `PermissionsPolicyMiddleware` (after SecurityMiddleware): turns off the browser features
  Waymark never uses (settings.PERMISSIONS_POLICY).

The Content-Security-Policy itself is django-csp's (settings.CONTENT_SECURITY_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

NO_STORE = "no-store, private"
CACHE_KEY_HEADER = "Waymark-Cache-Key"
SESSION_EXPIRES_HEADER = "Waymark-Session-Expires-In"


def offline_cache_key(user_id: object) -> str:
    """The name of one person's offline cache: stable for them, meaningless to anyone else."""
    return salted_hmac("waymark.offline-cache", str(user_id), algorithm="sha256").hexdigest()[:32]


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or _is_api(request) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        if signed_in and user is not None:
            response[CACHE_KEY_HEADER] = offline_cache_key(user.pk)
            response[SESSION_EXPIRES_HEADER] = str(request.session.get_expiry_age())
        return response


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`{"camera": []}` → `camera=()`; `{"fullscreen": ["self"]}` → `fullscreen=(self)`."""
    return ", ".join(
        f"{feature}=({' '.join(allowlist)})" for feature, allowlist in sorted(features.items())
    )


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
