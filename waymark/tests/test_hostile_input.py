"""Hostile input never 500s (issue 12, point 5): bounded pagination, control characters
refused naming the field, the admin's shortcut with an id that is not one, and JSON
answers for whatever the API cannot route or parse."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.checkins.models import CheckIn
from waymark.conftest import TODAY
from waymark.notes.models import ClinicalNote
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
HUGE = "99999999999999999999"
SHAPE = {"code", "message", "errors"}
NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def at_noon() -> Any:
    with time_machine.travel(NOON, tick=False):
        yield


def bearer(user: User) -> dict[str, str]:
    _, secret = issue_api_token(user, "test device")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def checkin(**overrides: Any) -> str:
    body = {
        "idempotency_key": str(uuid.uuid4()), "date": TODAY.isoformat(), "craving": 3,
        "mood": 4, "sleep_hours": 7.5, "sleep_quality": 4, "stress": 2,
        "safety_concern": False,
    }  # fmt: skip
    return json.dumps(body | overrides)


def test_it_refuses_a_page_past_any_list_with_422_naming_it_on_every_api_list(
    alice: Patient, bob: User
) -> None:
    lists = {
        alice.user: ["/api/v1/checkins", "/api/v1/withdrawal-entries"],
        bob: [
            "/api/v1/patients",
            f"/api/v1/patients/{alice.pk}/checkins",
            f"/api/v1/patients/{alice.pk}/notes",
        ],
    }
    for user, paths in lists.items():
        auth = bearer(user)
        for path in paths:
            for query, field in (({"page": HUGE}, "page"), ({"page_size": HUGE}, "page_size")):
                response = Client().get(path, query, **auth)
                assert response.status_code == 422, (path, query)
                assert set(response.json()) == SHAPE
                assert list(response.json()["errors"]) == [field]
            assert Client().get(path, {"page": "10000"}, **auth).json()["items"] == []


def test_it_shows_the_last_page_of_a_page_for_a_page_number_past_the_end(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    for name in ("alerts:inbox", "notifications:inbox"):
        for page in (HUGE, "-3", "many"):
            response = client.get(reverse(name), {"page": page})
            assert response.status_code == 200, (name, page)
            assert response.context["page"].number == 1
    # The caseload pages by cursor (issue 13): a page number, or a cursor that is not one
    # of ours, shows the first page.
    for query in ({"page": HUGE}, {"after": HUGE}, {"after": "\u00e9" * 300}):
        response = client.get(reverse("patients:caseload"), query)
        assert response.status_code == 200, query
        assert response.context["page"].is_first
        assert alice in list(response.context["page"])


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_it_refuses_control_characters_in_api_text_naming_the_field(
    alice: Patient, character: str
) -> None:
    response = Client().post(
        "/api/v1/checkins",
        checkin(note=f"felt ok{character}today"),
        content_type="application/json",
        **bearer(alice.user),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"note": [response.json()["message"]]}
    assert not CheckIn.objects.exists()


def test_it_names_a_nested_field_and_a_path_parameter(alice: Patient, bob: User) -> None:
    auth = bearer(alice.user)
    nested = Client().post(
        "/api/v1/checkins",
        checkin(uses=[{"substance": "ketamine", "amount": "a\x00"}]),
        content_type="application/json",
        **auth,
    )
    assert list(nested.json()["errors"]) == ["uses.0.amount"]
    in_path = Client().get("/api/v1/questionnaires/phq%009", **auth)
    assert (in_path.status_code, list(in_path.json()["errors"])) == (422, ["key"])


def test_it_keeps_tabs_and_line_breaks(alice: Patient) -> None:
    response = Client().post(
        "/api/v1/checkins",
        checkin(note="first line\r\nsecond\tline"),
        content_type="application/json",
        **bearer(alice.user),
    )
    assert response.status_code == 201
    assert CheckIn.objects.get().note == "first line\r\nsecond\tline"


def test_it_refuses_control_characters_in_a_form_and_a_query_naming_the_field(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    form = client.post(
        reverse("notes:new", args=[alice.pk]), {"data": "calm\x00", "assessment": "ok"}
    )
    assert form.status_code == 422
    assert "(data)" in form.content.decode()
    assert not ClinicalNote.objects.exists()
    search = client_for(alice.user).get(reverse("content:library"), {"q": "sleep\x00"})
    assert (search.status_code, search.content.decode().endswith("(q)")) == (422, True)


def test_it_answers_404_for_an_admin_shortcut_whose_id_is_not_one(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    patients = ContentType.objects.get_for_model(Patient).pk
    response = client_for(olivia).get(f"/admin/r/{patients}/not-a-uuid/")
    assert response.status_code == 404


def test_it_answers_the_api_in_json_for_unknown_paths_bodies_and_csrf(
    alice: Patient, client_for: ClientFor
) -> None:
    auth = bearer(alice.user)
    unknown = Client().get("/api/v1/no-such-thing", **auth)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    garbled = Client().post("/api/v1/checkins", "{not json", "application/json", **auth)
    assert (garbled.status_code, set(garbled.json())) == (400, SHAPE)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    no_csrf = browser.post("/api/v1/checkins", checkin(), content_type="application/json")
    assert (no_csrf.status_code, no_csrf.json()["code"]) == (403, "forbidden")
    assert set(no_csrf.json()) == SHAPE
