"""The one registry: every clinical rule once, each with its words and a published source."""

from __future__ import annotations

import re

import pytest

from waymark.alerts.models import Severity
from waymark.questionnaires.models import Questionnaire
from waymark.risk import registry
from waymark.risk.registry import ClinicalRule, DuplicateRule

# Every app that raises alerts or flags a patient registers its rules here.
EXPECTED = {
    "checkin.safety",
    "checkin.ketamine_symptoms",
    "checkin.missed",
    "phq9.item9",
    "phq9.severe",
    "detox.severe_withdrawal",
    "detox.talk_to_staff",
    "use.reported",
    "use.repeated",
    "use.lower_tolerance",
    "medication.depressed_breathing",
    "medication.ketamine_effect_unknown",
    "medication.ketamine_for_ketamine_use",
    "medication.stimulants_with_alcohol",
    "medication.no_approved_for_ketamine",
    "transition.recent_discharge",
    "discharge.follow_up_due",
    "bam.risk_over_protection",
    "craving.high",
    "craving.rising",
    "phq9.rise",
    "ciwa.withdrawal",
}
INTERNAL = re.compile(r"DESIGN\.md|clinical brief|safety policy|Waymark (rule|policy)", re.I)
CITATION = re.compile(r"\b(19|20)\d\d\b")  # a published source carries its year


def test_it_holds_every_apps_rules_once() -> None:
    ids = [rule.id for rule in registry.all_rules()]
    assert len(ids) == len(set(ids))
    assert set(ids) >= EXPECTED


@pytest.mark.parametrize("rule", registry.all_rules(), ids=lambda rule: rule.id)
def test_every_rule_has_words_and_a_published_source(rule: ClinicalRule) -> None:
    assert rule.title and rule.rationale
    assert rule.title != rule.id and "." not in rule.title.split()[0]
    assert rule.severity in Severity.values
    assert CITATION.search(rule.source), f"{rule.id} names no dated published source"
    assert not INTERNAL.search(rule.source), f"{rule.id} cites an internal document"
    assert len(rule.source) <= 300  # it is stored on the alert


def test_it_refuses_a_second_rule_with_the_same_id() -> None:
    safety = registry.get("checkin.safety")
    assert safety is not None
    registry.register(safety)  # the same rule again is harmless
    other = ClinicalRule("checkin.safety", "Other", Severity.LOW, "r", "Someone 2020.")
    with pytest.raises(DuplicateRule):
        registry.register(other)
    assert registry.get("checkin.safety") is safety


def test_safety_rules_are_the_ones_that_tell_again() -> None:
    safety = {rule.id for rule in registry.all_rules() if rule.safety}
    assert {"checkin.safety", "phq9.item9", "detox.talk_to_staff"} <= safety
    assert "use.repeated" not in safety and "craving.high" not in safety


@pytest.mark.django_db
def test_every_questionnaire_safety_item_names_a_registered_safety_rule() -> None:
    named = {rule.rule_id for q in Questionnaire.objects.all() for rule in q.parsed.scoring.safety}
    assert "phq9.item9" in named
    for rule_id in named:
        rule = registry.get(rule_id)
        assert rule is not None and rule.safety, rule_id


def test_the_titles_name_rules_in_plain_words_for_staff() -> None:
    assert registry.title_for("checkin.safety") == "Safety answer in a check-in"
    assert registry.title_for("gone.rule_id") == "gone rule id"
