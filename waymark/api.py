"""The versioned JSON API, `/api/v1/`: a thin layer over the apps' services.

Authentication: the browser session (with CSRF on unsafe methods) or a
per-device bearer token (`Authorization: Bearer wmk_…`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from waymark.accounts.api import DeviceTokenAuth
from waymark.accounts.api import router as accounts_router
from waymark.alerts.api import router as alerts_router
from waymark.checkins.api import router as checkins_router
from waymark.content.api import router as content_router
from waymark.errors import NON_FIELD, ErrorOut, ServiceError, error_json
from waymark.medications.api import router as medications_router
from waymark.messaging.api import router as messaging_router
from waymark.notes.api import router as notes_router
from waymark.notifications.api import router as notifications_router
from waymark.patients.api import router as patients_router
from waymark.plans.api import router as plans_router
from waymark.questionnaires.api import router as questionnaires_router
from waymark.support.api import router as support_router


class WaymarkAPI(NinjaAPI):
    """Ninja, with every operation's error answers documented in the one shape (ErrorOut)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        document_errors(schema)
        return schema


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_WORDS = {
    400: "The request body is not JSON.",
    401: "Not signed in (no session, or no valid device token).",
    403: "Signed in, but this role may not do it.",
    404: "No such object, or not one this person may see (another organization's is a 404).",
    409: "In conflict with what is stored (e.g. a reused key with other content).",
    422: "Not acceptable: the fields at fault, each with a message.",
    429: "Too many requests.",
}


def document_errors(schema: dict[str, Any]) -> None:
    """Every operation documents the errors it can answer, all as ErrorOut: 401 when it needs
    sign-in, 403 (a role check), 404 with a path parameter, 422 with any input; and any
    status its own `response=` declares. Nothing else is documented, nothing is left out.
    A body that is not JSON is a 400; a write may be throttled, 429 (issue 12)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = {int(code) for code in responses if str(code).startswith("4")}
            if operation.get("security"):
                statuses |= {401, 403}
            if "{" in path:
                statuses.add(404)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses.add(400)
            if method.upper() in WRITE_METHODS:
                statuses.add(429)
            for status in statuses:
                responses[str(status)] = {
                    "description": ERROR_WORDS.get(status, "Refused."),
                    "content": {"application/json": {"schema": ref}},
                }
                responses.pop(status, None)


api = WaymarkAPI(
    title="Waymark API",
    version="1",
    urls_namespace="api",
    # The bearer token is tried first: a device sends no session cookie, and ninja's
    # SessionAuth checks CSRF before it looks for a session, so trying it first would
    # refuse every POST/DELETE from a device with "CSRF check Failed".
    auth=[DeviceTokenAuth(), SessionAuth()],
    docs_url="docs",
)


# One shape for every error (waymark/errors.py: ErrorOut), whatever raised it.


@api.exception_handler(ServiceError)
def refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return refused(request, ServiceError.from_validation_error(exc))


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You may not do this."
    return api.create_response(request, error_json("forbidden", message), status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) or "Not found."
    return api.create_response(request, error_json("not_found", message), status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "Sign in, or send a device token (Authorization: Bearer wmk_…)."
    return api.create_response(request, error_json("unauthenticated", message), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals: a body that is not JSON (400), a failed CSRF check (403)."""
    codes = {400: "malformed", 403: "forbidden"}
    message = exc.message if exc.status_code != 400 else ERROR_WORDS[400]
    code = codes.get(exc.status_code, "refused")
    return api.create_response(request, error_json(code, message), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A request whose shape is wrong (a missing field, a string for a number): 422."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(tuple(error.get("loc", ()))), []).append(
            str(error.get("msg", "Invalid value."))
        )
    message = " ".join(f"{name}: {msgs[0]}" for name, msgs in errors.items())
    return api.create_response(request, error_json("invalid", message, errors), status=422)


def _field_name(loc: tuple[object, ...]) -> str:
    """("body", "payload", "uses", 0, "amount") → "uses.0.amount"; ("query", "page") → "page"."""
    parts = list(loc[1:])
    if loc[:1] == ("body",) and len(parts) > 1:
        parts = parts[1:]  # the operation's argument name (payload) is not a field
    return ".".join(str(part) for part in parts) or NON_FIELD


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
api.add_router("", support_router)  # issue 14
api.add_router("", content_router)
api.add_router("", messaging_router)  # issue 17
