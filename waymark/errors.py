"""The one domain error, and the one shape every error takes in the API.

Every service raises `ServiceError` when it refuses: the fields at fault with a message
each, the HTTP status an API client gets (403 not allowed, 404 not found, 409 in conflict
with what is stored, 422 not acceptable, 429 too many) and a short machine-readable code.
`waymark/api.py` turns it — and Django's ValidationError and PermissionDenied, Http404,
and ninja's own validation and authentication errors — into ONE JSON shape, `ErrorOut`:

    {"code": "invalid", "message": "Choose a mood.", "errors": {"mood": ["Choose a mood."]}}

`errors` is keyed by field ("__all__" when no one field is at fault). Pages put the same
errors on their forms with `ServiceErrorFormMixin`, and answer an invalid form with 422.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from ninja import Schema

F = TypeVar("F", bound=Callable[..., Any])
NON_FIELD = "__all__"
INVALID_FORM_STATUS = 422  # what every page answers when its form has errors


class ServiceError(Exception):
    """A request a service refuses, with every field at fault.

    `ServiceError("Keep the note short.", field="note")` or
    `ServiceError(errors={"dose": ["…"], "name": ["…"]})`.
    """

    def __init__(
        self,
        message: str = "",
        *,
        field: str = NON_FIELD,
        errors: Mapping[str, Iterable[str]] | None = None,
        status: int = 422,
        code: str = "invalid",
    ) -> None:
        self.errors: dict[str, list[str]] = (
            {name: [str(m) for m in messages] for name, messages in errors.items()}
            if errors
            else {field: [message]}
        )
        self.message = message or " ".join(m for ms in self.errors.values() for m in ms)
        super().__init__(self.message)
        self.status = status
        self.code = code

    @property
    def field(self) -> str:
        """The first field at fault (forms that show one message per error use it)."""
        return next(iter(self.errors))

    @classmethod
    def from_validation_error(
        cls, error: ValidationError, *, status: int = 422, code: str = "invalid"
    ) -> ServiceError:
        if hasattr(error, "error_dict"):
            errors = {name: list(messages) for name, messages in error.message_dict.items()}
        else:
            errors = {NON_FIELD: list(error.messages)}
        return cls(errors=errors, status=status, code=code)

    def as_json(self) -> dict[str, Any]:
        return error_json(self.code, self.message, self.errors)


def error_json(
    code: str, message: str, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": dict(errors or {NON_FIELD: [message]})}


def refuses(workflow: F) -> F:
    """A workflow whose refusals are ServiceErrors, including a Django ValidationError
    raised by the model validation or the lower-level services it calls."""

    @functools.wraps(workflow)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return workflow(*args, **kwargs)
        except ValidationError as error:
            raise ServiceError.from_validation_error(error) from error

    return cast(F, run)


def form_status(*forms_: forms.BaseForm | None, errors: Mapping[str, Any] | None = None) -> int:
    """What a page answers: 422 when a submitted form (or `errors`) has something to fix."""
    has_errors = bool(errors) or any(f is not None and f.is_bound and f.errors for f in forms_)
    return INVALID_FORM_STATUS if has_errors else 200


class ErrorOut(Schema):
    """Every API error: a code, one sentence, and the messages per field ("__all__": none)."""

    code: str
    message: str
    errors: dict[str, list[str]]


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response=` entries for errors an operation documents: `{200: X, **error_responses(409)}`."""
    return dict.fromkeys(statuses, ErrorOut)


class ServiceErrorFormMixin:
    """A form that shows a service's refusal on the fields it names (others: at the top).

    The one adapter from `ServiceError` to a form. `service_fields` maps a service's field
    name to the form's where they differ; override `field_for` for anything cleverer.
    """

    service_fields: Mapping[str, str] = {}

    def field_for(self, name: str) -> str | None:
        form = cast(forms.BaseForm, self)
        name = self.service_fields.get(name, name)
        return name if name in form.fields and not form[name].is_hidden else None

    def add_service_error(self, error: ServiceError) -> None:
        form = cast(forms.BaseForm, self)
        for name, messages in error.errors.items():
            form.add_error(self.field_for(name), messages)
