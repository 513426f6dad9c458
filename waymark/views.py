from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from waymark.errors import error_json

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


# --- Errors outside any view (issue 12, point 5) ------------------------------------------
# Under /api/ every answer is JSON in the one error shape, even for a path no operation
# has or a crash; pages keep Django's own error pages.
API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_json("not_found", "No such API path."), status=404)
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = "Something went wrong on our side. Please try again."
        return JsonResponse(error_json("server_error", message), status=500)
    return defaults.server_error(request)
