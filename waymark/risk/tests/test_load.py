"""The alert-load replay counts what the lifecycle would raise, and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import time_machine
from django.core.management import call_command

from waymark.alerts.models import Alert, Severity
from waymark.checkins.services import CheckInData, submit_checkin
from waymark.conftest import TODAY
from waymark.patients.models import Patient
from waymark.risk.load import replay

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def check_in(patient: Patient, day: dt.date, *, safety: bool = False, craving: int = 2) -> None:
    with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=NEW_YORK), tick=False):
        data = CheckInData(day, craving, 4, Decimal(7), 4, 2, safety)
        submit_checkin(patient, data, key=uuid.uuid4())


def test_it_counts_a_new_alert_for_each_episode_after_resolution(alice: Patient) -> None:
    for back in range(14, -1, -1):
        day = TODAY - dt.timedelta(days=back)
        check_in(alice, day, safety=back in (10, 2), craving=9 if back == 6 else 2)
    stored = Alert.objects.count()

    load = replay([alice], days=14, until=TODAY, resolve_after_days=3)

    assert load.patients == 1 and round(load.patient_weeks, 1) == 2.0
    assert load.alerts[("checkin.safety", Severity.URGENT)] == 2, "resolved between the two"
    assert load.alerts[("craving.high", Severity.HIGH)] == 1
    assert load.notifications["checkin.safety"] == 2
    assert load.by_severity()[Severity.URGENT] == 2
    assert load.per_patient_week(2) == 1.0
    assert Alert.objects.count() == stored, "a replay writes nothing"


def test_a_safety_answer_seen_again_while_open_still_tells(alice: Patient) -> None:
    for back in (3, 2):
        check_in(alice, TODAY - dt.timedelta(days=back), safety=True)
    load = replay([alice], days=4, until=TODAY, resolve_after_days=30)
    assert load.alerts[("checkin.safety", Severity.URGENT)] == 1
    assert load.notifications["checkin.safety"] == 2


def test_the_command_prints_rates_by_rule_and_severity(alice: Patient, capsys: object) -> None:
    check_in(alice, TODAY - dt.timedelta(days=1), safety=True)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(22), tzinfo=NEW_YORK)):
        call_command("alert_load", "--days", "7")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "Safety answer in a check-in (checkin.safety)" in out
    assert "Urgent    alerts:     1 (" in out
    assert "patient-weeks" in out
