"""/api/v1/: check-ins, the withdrawal log and counters — idempotent, validated, scoped."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.alerts.models import Alert
from waymark.audit.models import AuditEvent
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.tests.conftest import Submit, api_body
from waymark.conftest import NEW_YORK, TODAY
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def client(alice: Patient, client_for: ClientFor) -> Client:
    return client_for(alice.user)


def test_it_creates_a_checkin_then_returns_it_again_for_a_retry(
    alice: Patient, client: Client
) -> None:
    body = api_body(craving=6, uses=[{"substance": "ketamine", "amount": "a bump"}])

    created = post(client, "/api/v1/checkins", body)
    retried = post(client, "/api/v1/checkins", body)

    assert (created.status_code, retried.status_code) == (201, 200)
    assert created.json()["id"] == retried.json()["id"]
    saved = created.json()
    assert (saved["date"], saved["craving"], saved["late"]) == (TODAY.isoformat(), 6, False)
    assert saved["uses"][0]["substance"] == "ketamine"
    assert saved["crisis_help"] is None
    assert (CheckIn.objects.count(), SubstanceUse.objects.count()) == (1, 1)


def test_it_refuses_the_same_key_with_other_answers(client: Client) -> None:
    body = api_body(craving=2)
    post(client, "/api/v1/checkins", body)

    response = post(client, "/api/v1/checkins", {**body, "craving": 9})

    assert response.status_code == 409
    assert response.json()["code"] == "key_reused"
    assert "already used for different answers" in response.json()["errors"]["idempotency_key"][0]
    assert CheckIn.objects.get().craving == 2


def test_it_changes_todays_checkin_with_a_new_key(client: Client) -> None:
    post(client, "/api/v1/checkins", api_body(craving=2))

    response = post(client, "/api/v1/checkins", api_body(craving=5))

    assert response.status_code == 200
    assert CheckIn.objects.get().craving == 5


def test_it_returns_crisis_help_with_a_safety_answer(
    alice: Patient, bob: User, client: Client
) -> None:
    response = post(client, "/api/v1/checkins", api_body(safety_concern=True))

    assert response.status_code == 201
    help_ = response.json()["crisis_help"]
    assert help_["emergency_number"] == "911"
    assert [line["phone"] for line in help_["crisis_lines"]] == ["988", "1-800-662-4357"]
    assert help_["care_team"] == ["Bob"]
    assert Alert.objects.get(patient=alice).rule_id == "checkin.safety"


def test_it_returns_medical_advice_with_ketamine_symptoms(client: Client) -> None:
    response = post(client, "/api/v1/checkins", api_body(symptoms=["abdominal_pain"]))

    assert "medical review" in response.json()["medical_advice"]


def test_it_defaults_to_today_in_the_patients_time_zone(client: Client) -> None:
    body = api_body()
    del body["date"]

    assert post(client, "/api/v1/checkins", body).json()["date"] == TODAY.isoformat()


def test_it_accepts_a_checkin_made_offline_days_ago(client: Client) -> None:
    made = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time(21), NEW_YORK)

    response = post(
        client,
        "/api/v1/checkins",
        api_body(date=made.date().isoformat(), completed_at=made.isoformat()),
    )

    assert response.status_code == 201
    assert response.json()["late"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"craving": 11}, "craving"),
        ({"stress": -1}, "stress"),
        ({"mood": 0}, "mood"),
        ({"craving": "7"}, "craving"),
        ({"sleep_hours": 7.25}, "sleep_hours"),
        ({"sleep_hours": 25}, "sleep_hours"),
        ({"safety_concern": "maybe"}, "safety_concern"),
        ({"uses": [{"substance": "glitter"}]}, "substance"),
        ({"uses": [{"substance": "alcohol"}, {"substance": "alcohol"}]}, "uses"),
        ({"triggers": ["moonlight"]}, "triggers"),
        ({"note": "x" * 1_000_000}, "note"),
        ({"cravings": 3}, "cravings"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
    ],
)
def test_it_names_the_field_of_an_invalid_answer_and_saves_nothing(
    client: Client, change: dict[str, Any], field: str
) -> None:
    response = post(client, "/api/v1/checkins", api_body(**change))

    assert response.status_code == 422
    assert field in {part for name in response.json()["errors"] for part in name.split(".")}
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [(TODAY + dt.timedelta(days=1), "has not started yet"), (TODAY - dt.timedelta(days=2), "late")],
)
def test_it_refuses_a_day_it_cannot_take(client: Client, day: dt.date, message: str) -> None:
    response = post(client, "/api/v1/checkins", api_body(date=day.isoformat()))

    assert response.status_code == 422
    assert message in response.json()["errors"]["date"][0]
    assert not CheckIn.objects.exists()


def test_it_refuses_a_checkin_for_another_patient(dana: Patient, client: Client) -> None:
    response = post(client, "/api/v1/checkins", api_body(patient_id=str(dana.pk)))

    assert response.status_code == 403
    assert response.json()["errors"]["patient_id"] == ["You can only submit your own check-ins."]
    assert not CheckIn.objects.exists()


def test_it_accepts_the_patients_own_id(alice: Patient, client: Client) -> None:
    assert post(client, "/api/v1/checkins", api_body(patient_id=str(alice.pk))).status_code == 201


def test_it_refuses_staff_submissions(alice: Patient, bob: User, client_for: ClientFor) -> None:
    response = post(client_for(bob), "/api/v1/checkins", api_body(patient_id=str(alice.pk)))

    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_it_takes_a_device_token_without_a_session(alice: Patient) -> None:
    _, secret = issue_api_token(alice.user, "Phone")

    response = post(Client(enforce_csrf_checks=True), "/api/v1/checkins", api_body(),
                    Authorization=f"Bearer {secret}")  # fmt: skip

    assert response.status_code == 201


def test_it_lists_only_the_patients_own_checkins_newest_first(
    alice: Patient, dana: Patient, client: Client, submit: Submit
) -> None:
    submit(alice, day=TODAY - dt.timedelta(days=1))
    submit(alice, craving=8)
    submit(dana)

    page = client.get("/api/v1/checkins").json()

    assert page["count"] == 2
    assert [item["date"] for item in page["items"]] == [
        TODAY.isoformat(),
        (TODAY - dt.timedelta(days=1)).isoformat(),
    ]


def test_it_lets_the_clinician_read_a_patients_checkins_and_audits_it(
    alice: Patient, bob: User, carol: User, client_for: ClientFor, submit: Submit
) -> None:
    submit(alice, craving=8)

    response = client_for(bob).get(f"/api/v1/patients/{alice.pk}/checkins")

    assert [item["craving"] for item in response.json()["items"]] == [8]
    event = AuditEvent.objects.get(object_type="checkins")
    assert (event.actor, event.patient, event.action) == (bob, alice, "view")
    assert client_for(carol).get(f"/api/v1/patients/{alice.pk}/checkins").status_code == 404


def test_it_logs_withdrawal_entries_in_detox(dana: Patient, client_for: ClientFor) -> None:
    client = client_for(dana.user)
    body = {"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c0aa", "craving": 3, "tremor": 2}

    created = post(client, "/api/v1/withdrawal-entries", body)
    retried = post(client, "/api/v1/withdrawal-entries", body)
    listed = client.get("/api/v1/withdrawal-entries").json()

    assert (created.status_code, retried.status_code) == (201, 200)
    assert (created.json()["total"], created.json()["day_of_stay"]) == (5, 4)
    assert listed["count"] == 1
    assert WithdrawalEntry.objects.count() == 1


def test_it_names_a_withdrawal_rating_out_of_range(dana: Patient, client_for: ClientFor) -> None:
    body = {"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c0ab", "tremor": 4}

    response = post(client_for(dana.user), "/api/v1/withdrawal-entries", body)

    assert response.status_code == 422
    assert next(iter(response.json()["errors"])).split(".")[-1] == "tremor"
    assert not WithdrawalEntry.objects.exists()


def test_it_refuses_a_withdrawal_entry_outside_detox(client: Client) -> None:
    body = {"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c0ac", "craving": 1}

    response = post(client, "/api/v1/withdrawal-entries", body)

    assert (response.status_code, response.json()["code"]) == (409, "not_in_detox")


def test_it_gives_the_counters_with_lapses_and_milestones(
    alice: Patient, client: Client, submit: Submit
) -> None:
    submit(alice, day=TODAY - dt.timedelta(days=1), uses=[("alcohol", "wine")])
    client.get("/recovery/")  # celebrates (and so records) the milestones reached

    data = client.get("/api/v1/me/counters").json()

    counters = {c["substance"]: c for c in data["counters"]}
    assert counters["ketamine"]["days_since_last_use"] == 20
    assert counters["ketamine"]["next_milestone"] == {
        "days": 30,
        "name": "30 days",
        "on": (TODAY + dt.timedelta(days=10)).isoformat(),
    }
    alcohol = counters["alcohol"]
    assert (alcohol["current_streak"], alcohol["longest_streak"]) == (1, 18)
    # Only checked-in days count as without: the one check-in reported the lapse.
    assert (alcohol["days_without"], alcohol["days_unknown"]) == (0, 19)
    assert alcohol["total_days_abstinent"] == 0
    assert counters["ketamine"]["days_without"] == 1
    assert [lapse["amount"] for lapse in alcohol["lapses"]] == ["wine"]
    assert data["checkin_streak"] == 1
    assert {(m["days"], m["name"]) for m in data["milestones_reached"]} >= {(14, "2 weeks")}


def test_it_documents_the_operations_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"post", "get"} <= set(paths["/api/v1/checkins"])
    assert {"post", "get"} <= set(paths["/api/v1/withdrawal-entries"])
    assert "get" in paths["/api/v1/me/counters"]
    assert "get" in paths["/api/v1/patients/{patient_id}/checkins"]
