"""Every URL × every persona. A URL that is not in the matrix fails the test.

The admin's generated URLs are covered by organizations/tests/test_admin.py,
which walks every registered model admin for every persona.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.organizations.tests.matrix import (
    ALICE_RECORD,
    API_ALICE,
    API_SIGNED_IN,
    API_STAFF,
    PATIENTS_ONLY,
    PERSONAS,
    SIGNED_IN_ONLY,
    STAFF_ONLY,
    Row,
    World,
    alice_id,
    bobs_token,
    everyone,
)
from waymark.patients.models import Patient

CORE_ROWS: dict[str, Row] = {
    "home": Row(everyone(302, supporter=200)),
    "help": Row(everyone(200)),
    "healthz": Row(everyone(200)),
    "accounts:login": Row(everyone(302, anonymous=200), wrong_method="delete"),
    "accounts:logout": Row(everyone(302), method="post", wrong_method="get"),
    # Django's view answers an invalid link with its "link expired" page whatever the method.
    "accounts:set_password": Row(
        everyone(200), kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}, wrong_method=None
    ),
    "accounts:tokens": Row(SIGNED_IN_ONLY, wrong_method="put"),
    "accounts:revoke_token": Row(
        everyone(404, anonymous=302, clinician=302),
        method="post",
        kwargs=bobs_token,
        wrong_method="get",
    ),
    "patients:caseload": Row(STAFF_ONLY),
    "patients:detail": Row(ALICE_RECORD, kwargs=alice_id),
    "patients:me": Row(PATIENTS_ONLY),
    "audit:my_access_log": Row(PATIENTS_ONLY),
    # django-ninja's schema views answer any method; they hold no patient data.
    "api:openapi-json": Row(everyone(200), wrong_method=None),
    "api:openapi-view": Row(everyone(200), wrong_method=None),
    "api:api-root": Row(everyone(404), wrong_method=None),
    "api:me": Row(API_SIGNED_IN),
    "api:noop": Row(everyone(204, anonymous=401), method="post", wrong_method="get"),
    "api:list_tokens": Row(API_SIGNED_IN, wrong_method="put"),
    "api:create_token": Row(
        everyone(201, anonymous=401), method="post", data={"name": "Phone"}, wrong_method="put"
    ),
    "api:revoke_token": Row(
        everyone(404, anonymous=401, clinician=204),
        method="delete",
        kwargs=bobs_token,
        wrong_method="post",
    ),
    "api:list_patients": Row(API_STAFF),
    "api:patient_detail": Row(API_ALICE, kwargs=alice_id),
}


def collect_rows() -> dict[str, Row]:
    """The core rows plus every app's `tests/access_rows.py`."""
    rows = dict(CORE_ROWS)
    for config in apps.get_app_configs():
        if not config.name.startswith("waymark."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access_rows")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.tests.access_rows":
                raise
            continue
        duplicated = rows.keys() & module.ROWS.keys()
        assert not duplicated, f"URL rows listed twice: {duplicated}"
        rows.update(module.ROWS)
    return rows


MATRIX = collect_rows()


def url_names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def test_it_covers_every_url_in_the_matrix() -> None:
    names = {
        name for name in url_names(get_resolver().url_patterns) if not name.startswith("admin:")
    }
    assert names - MATRIX.keys() == set(), "URLs missing from the access matrix"
    assert MATRIX.keys() - names == set(), "matrix rows for URLs that no longer exist"


@pytest.fixture
def world(alice: Patient, dana: Patient, bob: User, carol: User, olivia: User, sam: User) -> World:
    token, _ = issue_api_token(bob, "Bob's phone")
    users: dict[str, User | None] = {
        "anonymous": None,
        "patient": alice.user,
        "other_patient": dana.user,
        "clinician": bob,
        "other_org_clinician": carol,
        "org_admin": olivia,
        "supporter": sam,
    }
    return World(users=users, alice=alice, bobs_token=token)


def call(client: Client, method: str, url: str, data: dict[str, Any]) -> int:
    if method == "get":
        return client.get(url).status_code
    body = json.dumps(data) if url.startswith("/api/") else data
    content_type = (
        "application/json" if url.startswith("/api/") else "application/x-www-form-urlencoded"
    )
    if content_type.endswith("urlencoded"):
        return getattr(client, method)(url, data).status_code
    return getattr(client, method)(url, body, content_type=content_type).status_code


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(
    name: str, persona: str, world: World, client_for: Callable[[User | None], Client]
) -> None:
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world))
    status = call(client_for(world.users[persona]), row.method, url, row.data)
    assert status == row.expect[persona], f"{persona} {row.method.upper()} {url}"


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.wrong_method))
def test_it_refuses_the_wrong_method(
    name: str, world: World, client_for: Callable[[User | None], Client]
) -> None:
    row = MATRIX[name]
    succeeding = [p for p in PERSONAS if row.expect[p] in {200, 201, 204}]
    redirected = [p for p in PERSONAS if row.expect[p] == 302 and p != "anonymous"]
    allowed = (succeeding or redirected)[0]
    url = reverse(name, kwargs=row.kwargs(world))
    assert call(client_for(world.users[allowed]), str(row.wrong_method), url, {}) == 405


def test_it_answers_404_for_a_patient_id_that_does_not_exist(
    bob: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(bob)
    missing = uuid.uuid4()
    assert client.get(reverse("patients:detail", args=[missing])).status_code == 404
    assert client.get(f"/api/v1/patients/{missing}").status_code == 404
