"""The check-in rules, as the registry runs them on one check-in's answers."""

from __future__ import annotations

import datetime as dt

from waymark.alerts.models import Severity
from waymark.checkins.rules import IMMEDIATE, TALK_TO_STAFF, talk_to_staff_flag
from waymark.risk import registry
from waymark.risk.models import RiskSettings
from waymark.risk.registry import DayCheckIn, Snapshot

TODAY = dt.date(2026, 11, 27)


def immediate(safety: bool = False, symptoms: tuple[str, ...] = ()) -> list[registry.Flag]:
    day = DayCheckIn(TODAY, 2, safety, symptoms, "c1")
    snapshot = Snapshot(today=TODAY, tracking_since=TODAY, checkins=(day,))
    return registry.evaluate(snapshot, RiskSettings(), only=IMMEDIATE)


def test_it_fires_the_urgent_safety_rule_only_on_yes() -> None:
    assert immediate() == []
    [flag] = immediate(safety=True)
    assert (flag.rule_id, flag.level) == ("checkin.safety", Severity.URGENT)
    assert flag.evidence_id == "c1"


def test_it_names_each_symptom_in_the_high_alert() -> None:
    [flag] = immediate(symptoms=("urgency", "abdominal_pain"))
    assert flag.level == Severity.HIGH
    assert "needing to pass urine often or urgently; severe stomach pain or cramps" in flag.reason


def test_it_evaluates_the_immediate_rules_together() -> None:
    ids = [flag.rule_id for flag in immediate(True, ("blood_in_urine",))]
    assert ids == ["checkin.safety", "checkin.ketamine_symptoms"]


def test_a_request_to_talk_to_staff_is_an_urgent_safety_rule() -> None:
    flag = talk_to_staff_flag(3, "r9")
    assert flag.rule is TALK_TO_STAFF and TALK_TO_STAFF.safety
    assert flag.level == Severity.URGENT
    assert (flag.evidence_type, flag.evidence_id) == ("staff_request", "r9")
    assert "day 3 of detox" in flag.reason
