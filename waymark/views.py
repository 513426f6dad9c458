from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from waymark.errors import error_json
from waymark.organizations.crisis import REGIONS
from waymark.organizations.defaults import EMERGENCY_NUMBER
from waymark.organizations.models import Locale

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status for a load balancer; no secrets, no sign-in.

    GET or HEAD (some probes send HEAD). The body names no versions or vendors:
    it is public, so it tells an attacker nothing about the stack.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- Errors outside any view (issue 12 point 5; issue 15 point 5) ------------------------
# Under /api/ every answer is JSON in the one error shape, even for a path no operation
# has or a crash. Pages answer with kind words, "Get help now" and the emergency number.
API_PREFIX = "/api/"
# Signed out (or when the database is down) we do not know the organization: name each
# locale's number, from the same defaults the help page uses.
EMERGENCY_NUMBERS = [
    {"number": number, "where": REGIONS[Locale(locale)].replace("In ", "in ", 1)}
    for locale, number in EMERGENCY_NUMBER.items()
]


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_json("not_found", "No such API path."), status=404)
    body = loader.render_to_string("404.html", {"emergency_numbers": EMERGENCY_NUMBERS}, request)
    return HttpResponseNotFound(body)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = str(exception or "") or "You may not do this."
        return JsonResponse(error_json("forbidden", message), status=403)
    context = {"emergency_numbers": EMERGENCY_NUMBERS}
    return HttpResponseForbidden(loader.render_to_string("403.html", context, request))


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = "Something went wrong on our side. Please try again."
        return JsonResponse(error_json("server_error", message), status=500)
    # No request context: its processors read the database, which may be what failed.
    body = loader.render_to_string("500.html", {"emergency_numbers": EMERGENCY_NUMBERS})
    return HttpResponseServerError(body)
