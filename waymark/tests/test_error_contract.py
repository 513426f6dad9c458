"""One error shape: every refusal the API makes — a service's, Django's, ninja's, the
access layer's — answers the same documented JSON, and the OpenAPI says so (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from waymark.accounts.models import User
from waymark.api import api, invalid
from waymark.conftest import TODAY
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
SHAPE = {"code", "message", "errors"}


@pytest.fixture(autouse=True)
def at_noon() -> Any:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return api.get_openapi_schema()


def checkin(**overrides: Any) -> dict[str, Any]:
    body = {
        "idempotency_key": str(uuid.uuid4()), "date": TODAY.isoformat(), "craving": 3,
        "mood": 4, "sleep_hours": 7.5, "sleep_quality": 4, "stress": 2,
        "safety_concern": False,
    }  # fmt: skip
    return body | overrides


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def assert_documented(openapi: dict[str, Any], path: str, method: str, response: Any) -> None:
    body = response.json()
    assert set(body) == SHAPE, body
    assert isinstance(body["message"], str) and body["message"]
    assert all(isinstance(v, list) and v for v in body["errors"].values())
    documented = openapi["paths"][path][method]["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_it_answers_401_in_the_shape(openapi: dict[str, Any], alice: Patient) -> None:
    response = Client().get("/api/v1/checkins")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert_documented(openapi, "/api/v1/checkins", "get", response)


def test_it_answers_403_and_404_from_the_access_layer_in_the_shape(
    openapi: dict[str, Any], alice: Patient, carol: User, client_for: ClientFor
) -> None:
    path = "/api/v1/patients/{patient_id}/checkins"
    forbidden = client_for(alice.user).get(f"/api/v1/patients/{alice.pk}/checkins")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    assert_documented(openapi, path, "get", forbidden)
    hidden = client_for(carol).get(f"/api/v1/patients/{alice.pk}/checkins")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert_documented(openapi, path, "get", hidden)


def test_it_answers_a_services_409_and_422_in_the_shape(
    openapi: dict[str, Any], alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    first = checkin()
    assert post(client, "/api/v1/checkins", first).status_code == 201
    conflict = post(client, "/api/v1/checkins", first | {"craving": 9})
    assert conflict.status_code == 409
    assert_documented(openapi, "/api/v1/checkins", "post", conflict)

    tomorrow = (TODAY + dt.timedelta(days=2)).isoformat()
    refused = post(client, "/api/v1/checkins", checkin(date=tomorrow))
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid")
    assert "date" in refused.json()["errors"]
    assert_documented(openapi, "/api/v1/checkins", "post", refused)


def test_it_answers_a_malformed_request_in_the_shape_naming_the_field(
    openapi: dict[str, Any], alice: Patient, client_for: ClientFor
) -> None:
    response = post(client_for(alice.user), "/api/v1/checkins", checkin(craving="lots"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["craving"]
    assert_documented(openapi, "/api/v1/checkins", "post", response)


def test_a_django_validation_error_takes_the_same_shape() -> None:
    request = RequestFactory().get("/api/v1/anything")
    response = invalid(request, ValidationError({"dose": ["Too long."]}))
    body = json.loads(response.content)
    assert (response.status_code, body) == (
        422,
        {"code": "invalid", "message": "Too long.", "errors": {"dose": ["Too long."]}},
    )


def test_every_operation_documents_its_errors_as_error_out(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status, documented in responses.items():
                if str(status).startswith("4"):
                    schema = documented["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (path, method)
            if "{" in path:
                assert "404" in responses, (path, method)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, (path, method)
