"""Every URL × every persona. A URL that is not in the matrix fails the test.

The admin's generated URLs are covered by organizations/tests/test_admin.py,
which walks every registered model admin for every persona.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from waymark.access import Capability
from waymark.accounts.models import User
from waymark.organizations.tests.matrix import (
    PERSONA_DETAILS,
    PERSONAS,
    Access,
    Row,
    Target,
    World,
    alice_id,
    assert_private_answer,
    bobs_token,
    build_persona_world,
    expected,
    respond,
)

PUBLIC, SIGNED_IN = Access.PUBLIC, Access.SIGNED_IN
ALICE, BOB = Target.ALICE, Target.BOB

CORE_ROWS: dict[str, Row] = {
    # Each person's start page, by role (a supporter's: the people they support).
    "home": Row(SIGNED_IN, ok=302),
    "help": Row(PUBLIC),
    "healthz": Row(PUBLIC),
    "accounts:login": Row(PUBLIC, ok=302, overrides={"anonymous": 200}, wrong_method="delete"),
    "accounts:logout": Row(PUBLIC, ok=302, method="post", wrong_method="get"),
    # Django's view answers an invalid link with its "link expired" page whatever the method.
    "accounts:set_password": Row(
        PUBLIC, kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}, wrong_method=None
    ),
    "accounts:tokens": Row(SIGNED_IN, wrong_method="put"),
    "accounts:revoke_token": Row(
        SIGNED_IN, target=BOB, ok=302, method="post", kwargs=bobs_token, wrong_method="get"
    ),
    "patients:caseload": Row(Capability.VIEW_CASELOAD),
    "patients:detail": Row(Capability.VIEW_PATIENT_RECORD, target=ALICE, kwargs=alice_id),
    "patients:me": Row(Capability.USE_PATIENT_APP),
    "audit:my_access_log": Row(Capability.USE_PATIENT_APP),
    # django-ninja's schema views answer any method; they hold no patient data.
    "api:openapi-json": Row(PUBLIC, wrong_method=None),
    "api:openapi-view": Row(PUBLIC, wrong_method=None),
    "api:api-root": Row(PUBLIC, ok=404, wrong_method=None),
    "api:me": Row(SIGNED_IN),
    "api:noop": Row(SIGNED_IN, ok=204, method="post", wrong_method="get"),
    "api:list_tokens": Row(SIGNED_IN, wrong_method="put"),
    "api:create_token": Row(
        SIGNED_IN, ok=201, method="post", data={"name": "Phone"}, wrong_method="put"
    ),
    "api:revoke_token": Row(
        SIGNED_IN, target=BOB, ok=204, method="delete", kwargs=bobs_token, wrong_method="post"
    ),
    "api:list_patients": Row(Capability.VIEW_CASELOAD),
    "api:patient_detail": Row(Capability.VIEW_PATIENT_RECORD, target=ALICE, kwargs=alice_id),
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


def url_views(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    """(namespaced URL name, view) for every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from url_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, pattern.callback


def url_names(patterns: list[Any]) -> Iterator[str]:
    return (name for name, _ in url_views(patterns))


def test_it_covers_every_url_in_the_matrix() -> None:
    names = {
        name for name in url_names(get_resolver().url_patterns) if not name.startswith("admin:")
    }
    assert names - MATRIX.keys() == set(), "URLs missing from the access matrix"
    assert MATRIX.keys() - names == set(), "matrix rows for URLs that no longer exist"


def test_it_refuses_exactly_the_personas_whose_role_lacks_the_capability() -> None:
    """The matrix cannot drift from waymark/access.py: a 403 is expected where, and only
    where, the persona's role lacks the row's capability — overrides included."""
    drifted = [
        f"{name} {persona}: expects {status}, may {row.needs}: {row.allows(persona)}"
        for name, row in MATRIX.items()
        for persona, status in expected(name, row).items()
        if PERSONA_DETAILS[persona].role is not None and (status == 403) == row.allows(persona)
    ]
    assert drifted == []


def test_it_names_the_capability_each_page_checks() -> None:
    """A page's row and its view's @capability_required name the same capability."""
    pages = {
        name: view
        for name, view in url_views(get_resolver().url_patterns)
        if name in MATRIX and not name.startswith(("api:", "admin:"))
    }
    declared = {name: getattr(view, "capability", None) for name, view in pages.items()}
    needed = {
        name: MATRIX[name].needs if isinstance(MATRIX[name].needs, Capability) else None
        for name in pages
    }
    assert declared == needed


@pytest.fixture(scope="class")
def shared_world(class_transaction: None) -> World:
    """The personas' world, built once per test class (issue 13 point 7: building it for
    each of the matrix's ~1,300 cases was ~60 % of their time)."""
    return build_persona_world()


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The shared world, for one test in its own savepoint: what the test writes is rolled
    back before the next one runs."""
    return shared_world


def call(client: Client, method: str, url: str, data: dict[str, Any]) -> int:
    return int(respond(client, method, url, data).status_code)


class TestEveryUrl:
    """The matrix's cases, over one world built once for all of them (`shared_world`)."""

    @pytest.mark.parametrize("name", sorted(MATRIX))
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_it_gives_each_persona_the_expected_status_and_a_private_answer(
        self, name: str, persona: str, world: World, client_for: Callable[[User | None], Client]
    ) -> None:
        """One request per URL and persona for both the policy's status and the headers
        every answer carries (issue 12: matrix.assert_private_answer)."""
        row = MATRIX[name]
        url = reverse(name, kwargs=row.kwargs(world))
        response = respond(client_for(world.users[persona]), row.method, url, row.data)
        assert response.status_code == expected(name, row)[persona], (
            f"{persona} {row.method.upper()} {url}"
        )
        assert_private_answer(name, persona, response, world)

    @pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.wrong_method))
    def test_it_refuses_the_wrong_method(
        self, name: str, world: World, client_for: Callable[[User | None], Client]
    ) -> None:
        row = MATRIX[name]
        statuses = expected(name, row)
        succeeding = [p for p in PERSONAS if statuses[p] in {200, 201, 204}]
        redirected = [p for p in PERSONAS if statuses[p] == 302 and p != "anonymous"]
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
