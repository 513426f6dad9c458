"""The versioned JSON API, `/api/v1/`: a thin layer over the apps' services.

Authentication: the browser session (with CSRF on unsafe methods) or a
per-device bearer token (`Authorization: Bearer wmk_…`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import SessionAuth

from waymark.accounts.api import DeviceTokenAuth
from waymark.accounts.api import router as accounts_router
from waymark.alerts.api import router as alerts_router
from waymark.checkins.api import router as checkins_router
from waymark.content.api import router as content_router
from waymark.medications.api import router as medications_router
from waymark.notes.api import router as notes_router
from waymark.notifications.api import router as notifications_router
from waymark.patients.api import router as patients_router
from waymark.plans.api import router as plans_router
from waymark.questionnaires.api import router as questionnaires_router

api = NinjaAPI(
    title="Waymark API",
    version="1",
    urls_namespace="api",
    # The bearer token is tried first: a device sends no session cookie, and ninja's
    # SessionAuth checks CSRF before it looks for a session, so trying it first would
    # refuse every POST/DELETE from a device with "CSRF check Failed".
    auth=[DeviceTokenAuth(), SessionAuth()],
    docs_url="docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("", accounts_router)
api.add_router("/patients", patients_router)
# Each app's router mounts at the root; its paths say what they are (/checkins, …).
api.add_router("", checkins_router)
api.add_router("", questionnaires_router)
api.add_router("", alerts_router)
api.add_router("", notifications_router)
api.add_router("", notes_router)
api.add_router("", medications_router)
api.add_router("", plans_router)
api.add_router("", content_router)
