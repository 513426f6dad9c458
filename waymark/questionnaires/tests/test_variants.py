"""Variants: the UK AUDIT-C in units for a UK organization (DHSC/OHID 2020, positive at
>= 5) and the SDS past-month form for repeats within a stay (Tung et al. 2014)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from waymark.patients.models import Patient
from waymark.questionnaires.pages import fillable
from waymark.questionnaires.scoring import clean_answers, score
from waymark.questionnaires.services import available_questionnaires
from waymark.questionnaires.tests.helpers import (
    builtin,
    definition,
    make_due,
    numbered,
    recorded,
    submitted,
)

SDS = [1, 1, 1, 1, 1]


def _uk_total(answers: list[int]) -> tuple[Decimal, list[str]]:
    audit = definition("audit-c-uk")
    (total,) = score(audit, clean_answers(audit, numbered(answers))).scales
    return total.value, [code for code, _, _ in total.flags]


@pytest.mark.parametrize(
    ("answers", "total", "positive"),
    [([2, 1, 1], 4, False), ([2, 2, 1], 5, True), ([4, 4, 4], 12, True), ([0], 0, False)],
)
def test_it_scores_the_uk_form_positive_at_5(
    answers: list[int], total: int, positive: bool
) -> None:
    assert _uk_total(answers) == (Decimal(total), ["positive"] if positive else [])


def test_it_asks_the_uk_form_in_units() -> None:
    items = {item["linkId"]: item for item in builtin("audit-c-uk")["item"]}

    assert "units" in items["2"]["text"] and "when you are drinking" in items["2"]["text"]
    assert next(o["valueCoding"]["display"] for o in items["2"]["answerOption"]) == "0 to 2"
    assert "6 or more units if female, or 8 or more if male" in items["3"]["text"]
    assert "Office for Health Improvement and Disparities" in builtin("audit-c-uk")["copyright"]


def test_it_gives_a_uk_organization_the_uk_form(
    frozen: time_machine.Traveller, erin: Patient
) -> None:
    make_due(erin, "audit-c")
    state = fillable(erin, "audit-c")
    response = submitted(erin, "audit-c", numbered([2, 2, 1]))

    assert state is not None and state.questionnaire.key == "audit-c-uk"
    assert response.questionnaire.key == "audit-c-uk"
    assert response.questionnaire_key == "audit-c"  # one series, one schedule
    assert response.scores["scales"][0]["flags"][0]["code"] == "positive"


def test_it_gives_a_us_organization_the_us_form_with_unchanged_cut_offs(
    frozen: time_machine.Traveller, alice: Patient
) -> None:
    response = submitted(alice, "audit-c", numbered([2, 1, 0]), context={"sex": "male"})

    assert response.questionnaire.key == "audit-c"
    assert response.primary_score == 3 and not response.scores["scales"][0]["flags"]


def test_it_does_not_let_staff_schedule_a_variant_on_its_own(erin: Patient) -> None:
    keys = {q.key for q in available_questionnaires(erin.organization_id)}

    assert "audit-c" in keys and "sds-ketamine" in keys
    assert not keys & {"audit-c-uk", "sds-ketamine-month"}


def test_it_asks_the_first_sds_of_a_stay_about_the_past_12_months(
    frozen: time_machine.Traveller, alice: Patient
) -> None:
    recorded(alice, "sds-ketamine", numbered(SDS), days_ago=30)  # before this stay

    response = submitted(alice, "sds-ketamine", numbered(SDS))

    assert response.questionnaire.key == "sds-ketamine"
    assert response.questionnaire.short_title == "SDS (ketamine), past 12 months"


def test_it_asks_later_sds_in_the_same_stay_about_the_past_month(
    frozen: time_machine.Traveller, alice: Patient
) -> None:
    recorded(alice, "sds-ketamine", numbered(SDS), days_ago=10)

    response = submitted(alice, "sds-ketamine", numbered([3, 3, 3, 3, 3]))

    assert response.questionnaire.key == "sds-ketamine-month"
    assert response.questionnaire.short_title == "SDS (ketamine), past month"
    assert response.questionnaire_key == "sds-ketamine"
    assert response.primary_score == 15  # same scoring, 0-15, no cut-off
    assert response.primary_band == "" and not response.scores["scales"][0]["flags"]


def test_it_shows_staff_which_sds_period_was_asked(
    frozen: time_machine.Traveller, alice: Patient, bob, client_for
) -> None:
    recorded(alice, "sds-ketamine", numbered(SDS), days_ago=10)
    submitted(alice, "sds-ketamine", numbered(SDS))

    page = client_for(bob).get(reverse("questionnaires:patient_questionnaires", args=[alice.pk]))

    assert page.status_code == 200
    assert "past month" in page.content.decode() and "past 12 months" in page.content.decode()
