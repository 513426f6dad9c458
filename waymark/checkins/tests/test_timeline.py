"""Check-ins, lapses and the withdrawal log on the clinician's patient timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.checkins.services import WithdrawalData, add_withdrawal_entry, request_staff
from waymark.checkins.tests.conftest import Submit
from waymark.checkins.timeline import checkin_events
from waymark.conftest import NOW, TODAY
from waymark.patients.models import Patient
from waymark.patients.timeline import providers

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def test_it_is_registered_as_a_timeline_provider() -> None:
    assert providers()["checkins"] is checkin_events


def test_it_plots_checkins_and_marks_lapses(alice: Patient, submit: Submit) -> None:
    submit(alice, craving=7, safety_concern=True, uses=[("alcohol", "3 beers")])
    submit(alice, day=TODAY - dt.timedelta(days=1), craving=2)

    events = checkin_events(alice, NOW - dt.timedelta(days=30))

    checkins = sorted((e for e in events if e.kind == "checkin"), key=lambda e: e.title)
    assert [e.values["craving"] for e in checkins] == [2, 7]
    assert checkins[1].severity == 40 and "safety question: yes" in checkins[1].detail
    assert "filled in late" in checkins[0].title
    (lapse,) = [e for e in events if e.kind == "lapse"]
    assert lapse.title == "Reported use: Alcohol (3 beers)"
    assert lapse.values == {}  # a marker, not a series


def test_it_shows_the_withdrawal_log_and_requests_to_talk(dana: Patient) -> None:
    levels = {name: 0 for name in ("craving", "anxiety", "low_mood", "irritability",
              "restlessness", "sleep_problems", "fatigue", "poor_concentration", "tremor",
              "sweating", "appetite_change")} | {"tremor": 3}  # fmt: skip
    add_withdrawal_entry(dana, WithdrawalData(ratings=levels), key=uuid.uuid4())
    request_staff(dana, key=uuid.uuid4())

    titles = {e.title: e for e in checkin_events(dana, NOW - dt.timedelta(days=1))}

    assert titles["Withdrawal log: 3/33"].detail == "Shaking (tremor)"
    assert titles["Asked to talk to staff now"].severity == 40


def test_it_keeps_to_the_range_and_the_patient(
    alice: Patient, dana: Patient, submit: Submit
) -> None:
    submit(dana)

    assert checkin_events(alice, NOW - dt.timedelta(days=30)) == []
    assert checkin_events(dana, NOW + dt.timedelta(minutes=1)) == []


def test_it_appears_on_the_clinicians_timeline_page(
    alice: Patient, bob: User, client_for: ClientFor, submit: Submit
) -> None:
    submit(alice, craving=7, uses=[("alcohol", "3 beers")])

    html = client_for(bob).get(reverse("patients:timeline", args=[alice.pk])).content.decode()

    assert f"Check-in for {TODAY:%d %b}" in html
    assert "Reported use: Alcohol (3 beers)" in html
