"""The check-in rules: small pure functions, each with an id, a rationale and a source."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from waymark.alerts.models import Severity
from waymark.checkins.rules import (
    CHECKIN_RULES,
    evaluate_checkin,
    ketamine_symptoms_rule,
    safety_rule,
    talk_to_staff_finding,
)


@dataclass
class Answers:
    safety_concern: bool = False
    symptoms: list[str] = field(default_factory=list)


def test_it_fires_the_urgent_safety_rule_only_on_yes() -> None:
    assert safety_rule(Answers()) is None
    finding = safety_rule(Answers(safety_concern=True))
    assert finding is not None
    assert (finding.rule.id, finding.rule.severity) == ("checkin.safety", Severity.URGENT)


def test_it_names_each_symptom_in_the_high_alert() -> None:
    assert ketamine_symptoms_rule(Answers()) is None
    finding = ketamine_symptoms_rule(Answers(symptoms=["urgency", "abdominal_pain"]))
    assert finding is not None
    assert finding.rule.severity == Severity.HIGH
    assert (
        "needing to pass urine often or urgently; severe stomach pain or cramps" in finding.reason
    )


def test_it_evaluates_every_rule_together() -> None:
    ids = [f.rule.id for f in evaluate_checkin(Answers(True, ["blood_in_urine"]))]

    assert ids == ["checkin.safety", "checkin.ketamine_symptoms"]
    assert evaluate_checkin(Answers()) == []


@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_it_documents_each_rule(rule: object) -> None:
    assert rule.id.startswith("checkin.")  # type: ignore[attr-defined]
    assert len(rule.rationale) > 40  # type: ignore[attr-defined]
    assert len(rule.alert.source) > 40  # type: ignore[attr-defined]


def test_it_makes_talk_to_staff_urgent() -> None:
    finding = talk_to_staff_finding(3)

    assert (finding.rule.id, finding.rule.severity) == ("detox.talk_to_staff", Severity.URGENT)
    assert "day 3" in finding.reason
