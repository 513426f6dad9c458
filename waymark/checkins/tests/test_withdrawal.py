"""Detox mode: the withdrawal log, its timeline, day-by-day guidance, "talk to staff now"."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.checkins.choices import WITHDRAWAL_FIELDS
from waymark.checkins.guidance import DETOX_GUIDANCE, guidance_for_day
from waymark.checkins.models import StaffRequest, WithdrawalEntry
from waymark.conftest import NOW, TODAY, program
from waymark.notifications.models import Notification
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Episode, Patient
from waymark.patients.services import move_to_program
from waymark.risk.models import PatientRisk

ClientFor = Callable[[User | None], Client]
URL = "/withdrawal/"
TALK = "/withdrawal/talk-to-staff/"
API = "/api/v1/withdrawal-entries"
pytestmark = pytest.mark.usefixtures("frozen")


def entry(**levels: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: "0" for name in WITHDRAWAL_FIELDS}
    data.update({"idempotency_key": str(uuid.uuid4()), "note": ""}, **levels)
    return data


@pytest.fixture
def client(dana: Patient, client_for: ClientFor) -> Client:
    return client_for(dana.user)


def test_it_shows_the_log_with_guidance_for_the_day_since_admission(client: Client) -> None:
    html = client.get(URL).content.decode()

    assert "Day 4 since you were admitted to withdrawal management" in html
    assert "Day 4: often the hardest stretch" in html
    assert "commonly reported" in html
    assert "not what will happen to you" in html
    assert "Urges come in waves" in html  # emotional support
    assert "Talk to staff now" in html
    # What the page says at once when the phone is offline (the request cannot wait).
    assert "data-needs-connection=\"You're offline, so this request can't reach" in html
    for label in ("Craving", "Anxiety", "Low mood", "Shaking (tremor)", "Change in appetite"):
        assert f"<legend>{label}</legend>" in html
    assert html.count('value="3"') == len(WITHDRAWAL_FIELDS)  # "severe" for each symptom


def test_it_takes_several_entries_a_day(
    dana: Patient, client: Client, frozen: time_machine.Traveller
) -> None:
    assert client.post(URL, entry(craving="2", tremor="1")).status_code == 302
    frozen.move_to(NOW + dt.timedelta(hours=4))
    assert client.post(URL, entry(craving="3", sweating="2", note="Shaky.")).status_code == 302

    entries = list(WithdrawalEntry.objects.order_by("recorded_at"))
    assert [(e.craving, e.tremor, e.sweating, e.total) for e in entries] == [
        (2, 1, 0, 3),
        (3, 0, 2, 5),
    ]
    stay = Episode.objects.get(patient=dana).stays.get()
    assert {e.stay_id for e in entries} == {stay.pk}
    assert entries[1].note == "Shaky."


def test_it_draws_the_timeline_since_admission(
    dana: Patient, client: Client, frozen: time_machine.Traveller
) -> None:
    client.post(URL, entry(craving="3", anxiety="2"))

    html = client.get(URL).content.decode()

    def chart(key: str) -> dict[str, Any]:
        found = re.search(rf'id="withdrawal-{key}"[^>]*>(.*?)</script>', html)
        assert found, f"no {key} chart"
        config: dict[str, Any] = json.loads(found.group(1))
        return config

    total, craving = chart("total"), chart("craving")
    # Issue 16 point 3: one measure and one y axis per chart, straight segments.
    for config, top in ((total, 33), (craving, 3)):
        assert set(config["options"]["scales"]) == {"x", "y"}
        assert config["options"]["scales"]["y"]["max"] == top
        (dataset,) = config["data"]["datasets"]
        assert dataset["tension"] == 0 and dataset["yAxisID"] == "y"
    ((point,),) = [d["data"] for d in total["data"]["datasets"]]
    assert point["y"] == 5
    assert point["x"] == pytest.approx(4 + 15 / 24, abs=0.01)  # day 4, 15:00
    assert craving["data"]["datasets"][0]["data"][0]["y"] == 3
    assert "Your entries (1)" in html  # the table that stands in without JavaScript


def test_it_stores_a_double_submission_once(client: Client) -> None:
    data = entry(craving="2")

    client.post(URL, data)
    client.post(URL, data)

    assert WithdrawalEntry.objects.count() == 1


def test_it_names_a_rating_out_of_range_and_saves_nothing(client: Client) -> None:
    response = client.post(URL, entry(tremor="4"))

    assert response.status_code == 422  # an invalid form answers 422 everywhere
    assert "Shaking (tremor): please choose one of the options" in " ".join(
        response.context["form"].errors["tremor"]
    )
    assert not WithdrawalEntry.objects.exists()


def test_it_is_closed_outside_detox(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)

    page = client.get(URL)
    refused = client.post(URL, entry(craving="1"))

    assert page.status_code == 200
    assert "The withdrawal log is for the days you are in withdrawal management" in (
        page.content.decode()
    )
    assert refused.status_code == 409
    assert not WithdrawalEntry.objects.exists()


def test_it_closes_when_the_patient_moves_on_from_detox(dana: Patient, client: Client) -> None:
    episode = Episode.objects.get(patient=dana)
    move_to_program(episode, program(dana.organization, LevelOfCare.RESIDENTIAL), on=TODAY)

    assert "is for the days you are in withdrawal management" in client.get(URL).content.decode()


def test_it_tells_the_care_team_at_once_when_asked_to_talk_now(
    dana: Patient, client: Client
) -> None:
    response = client.post(TALK, {"idempotency_key": str(uuid.uuid4())}, follow=True)

    request = StaffRequest.objects.get()
    alert = Alert.objects.get(patient=dana)
    assert (alert.rule_id, alert.severity) == ("detox.talk_to_staff", Severity.URGENT)
    assert (alert.evidence_type, alert.evidence_id) == ("staff_request", str(request.pk))
    assert "day 4 of detox" in alert.reason
    html = response.content.decode()
    assert "Your care team has been told you want to talk now" in html
    assert "You asked to talk to staff at 15:00" in html


def test_it_makes_one_request_of_a_double_tap(dana: Patient, client: Client) -> None:
    key = str(uuid.uuid4())

    client.post(TALK, {"idempotency_key": key})
    client.post(TALK, {"idempotency_key": key})

    assert StaffRequest.objects.count() == 1
    assert Alert.objects.get(patient=dana).occurrences == 1


def test_it_explains_talk_now_is_for_detox(alice: Patient, client_for: ClientFor) -> None:
    response = client_for(alice.user).post(
        TALK, {"idempotency_key": str(uuid.uuid4())}, follow=True
    )

    assert "while you are in withdrawal management" in response.content.decode()
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("day", "title"),
    [(1, "The first days"), (2, "The first days"), (3, "Often the hardest stretch"),
     (7, "Often the hardest stretch"), (8, "After the first week"), (40, "After the first week")],
)  # fmt: skip
def test_it_picks_guidance_by_day(day: int, title: str) -> None:
    assert guidance_for_day(day).title == title


def test_it_never_promises_what_withdrawal_will_be_like() -> None:
    for guidance in DETOX_GUIDANCE:
        text = " ".join(guidance.paragraphs).lower()
        assert not re.search(r"\b(will|always|never)\b", text), guidance.title
        assert "commonly" in text or "many people" in text


def told(user: User) -> int:
    return Notification.objects.filter(recipient=user, title__contains="withdrawal").count()


def test_it_tells_the_patient_their_care_team_knows_of_a_severe_entry(
    dana: Patient, bob: User, client: Client
) -> None:
    response = client.post(URL, entry(tremor="3", sweating="3", craving="2"), follow=True)

    html = response.content.decode()
    notice = html.split('id="severe-withdrawal"')[1].split("</div>")[0]
    assert "You rated shaking (tremor) and sweating as severe." in notice
    assert "We have told your care team straight away" in notice
    assert html.count("Thank you. Your entry is in your log.") == 1  # in the notice
    # The one tap is right below the notice, and it works.
    talk = html[html.index('id="severe-withdrawal"') :].split(f'action="{TALK}"')[1]
    assert talk.index('class="talk-now"') < talk.index("</form>")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', talk).group(1)  # type: ignore[union-attr]
    client.post(TALK, {"idempotency_key": key})
    assert StaffRequest.objects.filter(patient=dana).count() == 1
    # It is true: the alert was raised in the entry's own transaction, and Bob was told.
    alert = Alert.objects.get(patient=dana, rule_id="detox.severe_withdrawal")
    assert alert.severity == Severity.HIGH
    assert (alert.evidence_type, alert.evidence_id) == (
        "withdrawal_entry",
        str(WithdrawalEntry.objects.get().pk),
    )
    assert "Severe tremor, sweating" in alert.reason
    assert told(bob) == 1


def test_it_keeps_the_calm_thank_you_for_an_entry_that_is_not_severe(
    dana: Patient, bob: User, client: Client
) -> None:
    html = client.post(URL, entry(tremor="2", anxiety="2"), follow=True).content.decode()

    assert "Thank you. Your entry is in your log." in html
    assert 'id="severe-withdrawal"' not in html and "as severe" not in html
    assert not Alert.objects.filter(patient=dana).exists()
    assert told(bob) == 0


def test_it_stops_showing_the_notice_once_a_calmer_entry_follows(
    client: Client, frozen: time_machine.Traveller
) -> None:
    client.post(URL, entry(tremor="3"))
    assert 'id="severe-withdrawal"' in client.get(URL).content.decode()

    frozen.move_to(NOW + dt.timedelta(hours=2))
    assert 'id="severe-withdrawal"' not in client.get(URL).content.decode()  # not "just now"
    client.post(URL, entry(tremor="1"))
    assert 'id="severe-withdrawal"' not in client.get(URL).content.decode()


def test_it_tells_the_care_team_once_for_one_severe_entry(
    dana: Patient, bob: User, client: Client, run_tasks: Callable[[], None]
) -> None:
    data = entry(sweating="3")
    client.post(URL, data)
    client.post(URL, data)  # a double tap

    run_tasks()  # the reassessment the entry enqueued

    assert told(bob) == 1
    assert Alert.objects.get(patient=dana, rule_id="detox.severe_withdrawal").occurrences == 1


def test_it_brings_a_severe_entry_to_the_caseload(
    dana: Patient, client: Client, run_tasks: Callable[[], None]
) -> None:
    client.post(URL, entry(anxiety="3"))

    run_tasks()

    risk = PatientRisk.objects.get(patient=dana)
    reason = next(r for r in risk.reasons if r["rule"] == "detox.severe_withdrawal")
    assert reason["reason"] == "Severe anxiety in the withdrawal log."
    assert risk.level >= Severity.HIGH


def test_it_says_in_the_api_whether_the_care_team_was_told(
    dana: Patient, bob: User, client: Client
) -> None:
    def send(**levels: int) -> Any:
        body = {"idempotency_key": str(uuid.uuid4()), **levels}
        return client.post(API, json.dumps(body), content_type="application/json")

    severe = send(tremor=3)
    calm = send(tremor=1, craving=2)

    assert (severe.status_code, severe.json()["care_team_told"]) == (201, True)
    assert (calm.status_code, calm.json()["care_team_told"]) == (201, False)
    assert told(bob) == 1
    listed = client.get(API).json()["items"]
    assert "care_team_told" not in listed[0]  # only the answer to a new entry says it


def test_it_tells_someone_stopping_alcohol_that_it_can_be_dangerous(client: Client) -> None:
    html = client.get(URL).content.decode()

    assert 'id="alcohol-withdrawal"' in html
    assert "Stopping alcohol suddenly can be dangerous" in html
    assert reverse("content:article", args=["dangerous-withdrawal"]) in html


def test_it_leaves_the_alcohol_line_out_for_someone_not_working_on_alcohol(
    dana: Patient, client: Client
) -> None:
    dana.substances = ["ketamine"]
    dana.save(update_fields=["substances"])

    html = client.get(URL).content.decode()

    assert 'id="alcohol-withdrawal"' not in html and "Withdrawal log" in html
