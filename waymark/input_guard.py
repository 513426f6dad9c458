"""Text no person types is refused at the door, naming the field (issue 12, point 5).

A NUL byte cannot be stored in PostgreSQL text (the driver raises, and the request would
be a 500); the other C0 control characters, DEL and unpaired UTF-16 surrogates are never
part of what a patient or clinician writes, and only make trouble further on (exports,
PDFs, FHIR, logs). Tab, line feed and carriage return are ordinary text and pass.

`RefuseControlCharactersMiddleware` looks at every way text comes in — the URL's path
parameters, the query string, a form body and a JSON body — before the view runs, so
both databases answer the same: a 422 whose errors name the field (`note`,
`uses.0.amount`, `q`). The API answers in the one JSON error shape (waymark/errors.py);
a page answers 422 with the same sentence as plain text (Django's form fields already
refuse NUL on their own with the field's error, so a person rarely sees it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from waymark.errors import NON_FIELD, error_json

# C0 controls but tab, LF, CR; DEL; and lone surrogates (JSON's "\ud800" decodes to one).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MESSAGE = "Remove the control characters (such as NUL) from this text."
API_PREFIX = "/api/"


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def fields_with_control_characters(data: Any, field: str = "") -> Iterator[str]:
    """The dotted names ("uses.0.amount") of every string in `data` that holds one;
    a key that holds one is reported as its parent (or "__all__" at the top)."""
    if isinstance(data, str):
        if has_control_characters(data):
            yield field or NON_FIELD
    elif isinstance(data, Mapping):
        for key, value in data.items():
            if has_control_characters(str(key)):
                yield field or NON_FIELD
            else:
                yield from fields_with_control_characters(value, _join(field, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from fields_with_control_characters(value, _join(field, str(index)))


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def refused_fields(request: HttpRequest, view_kwargs: Mapping[str, Any]) -> list[str]:
    """Every field of the request that holds a control character, in a stable order."""
    found = list(fields_with_control_characters(dict(view_kwargs)))
    found += fields_with_control_characters({key: request.GET.getlist(key) for key in request.GET})
    found = [name.split(".")[0] for name in found]  # a query's list index is not a field
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.body:
        found += _body_fields(request)
    return list(dict.fromkeys(found))


def _body_fields(request: HttpRequest) -> list[str]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            return []  # not JSON at all: the API's own parser answers that (400)
        return list(fields_with_control_characters(data))
    try:
        form = request.POST
    except MultiPartParserError:
        return []
    return [key for key in form if any(map(has_control_characters, [key, *form.getlist(key)]))]


class RefuseControlCharactersMiddleware:
    """422 for any request whose text holds a control character (see the module's note)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        fields = refused_fields(request, view_kwargs)
        if not fields:
            return None
        if request.path.startswith(API_PREFIX):
            errors = {field: [MESSAGE] for field in fields}
            return JsonResponse(error_json("invalid", MESSAGE, errors), status=422)
        return HttpResponse(
            f"{MESSAGE} ({', '.join(fields)})", status=422, content_type="text/plain; charset=utf-8"
        )
