"""Submitting: stored whole or not at all; the safety alert in the same transaction;
immutable once stored; a correction is a new response pointing at the old one."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from waymark.alerts.models import Alert, Severity
from waymark.errors import ServiceError
from waymark.patients.models import Patient
from waymark.questionnaires.models import Assignment, AssignmentReason, Draft, QuestionnaireResponse
from waymark.questionnaires.services import (
    save_page,
    standing_responses,
    start_correction,
    submit_response,
    todo_for,
)
from waymark.questionnaires.tests.helpers import (
    PUBLISHED_PHQ9,
    make_due,
    numbered,
    phq9,
    submitted,
)


def test_it_stores_the_answers_scores_and_band(phq9_due: Patient) -> None:
    response = submit_response(phq9_due, "phq-9", numbered(PUBLISHED_PHQ9), by=phq9_due.user)
    stored = QuestionnaireResponse.objects.get(pk=response.pk)
    assert stored.answers == numbered(PUBLISHED_PHQ9)
    assert (stored.primary_score, stored.primary_band, stored.scoring_form) == (
        12,
        "moderate",
        "standard",
    )
    assert stored.scores["scales"][0]["band"]["label"] == "Moderate"
    assert stored.organization_id == phq9_due.organization_id
    assert stored.questionnaire.version == "2" and stored.questionnaire.organization is None
    assert stored.submitted_on == phq9_due.local_today()
    assert not stored.has_safety_answer
    assert not Alert.objects.exists()


def test_it_refuses_a_questionnaire_that_is_not_on_the_patients_list(alice: Patient) -> None:
    with pytest.raises(ServiceError) as caught:
        submit_response(alice, "gad-7", numbered([0] * 7), by=alice.user)
    assert caught.value.errors == {
        "questionnaire": [
            "GAD-7 is not on your list right now. Your care team can ask you to fill it in."
        ]
    }
    assert not QuestionnaireResponse.objects.exists()


def test_it_refuses_an_unknown_questionnaire(alice: Patient) -> None:
    with pytest.raises(ServiceError) as caught:
        submit_response(alice, "dast-10", {}, by=alice.user)
    assert caught.value.message == "There is no questionnaire 'dast-10' here."


def test_it_stores_nothing_when_an_answer_is_missing_or_outside_the_options(
    phq9_due: Patient,
) -> None:
    answers: dict[str, object] = {**numbered(PUBLISHED_PHQ9), "3": 9}
    del answers["9"]
    with pytest.raises(ServiceError) as caught:
        submit_response(phq9_due, "phq-9", answers, by=phq9_due.user)
    errors = caught.value.errors
    assert set(errors) == {"3", "9"}
    (message,) = errors["9"]
    assert message.startswith("Question 9 (Thoughts that you would be better off dead")
    assert message.endswith(") needs an answer.")
    assert errors["3"][0].startswith("Question 3 (Trouble falling or staying asleep")
    assert not QuestionnaireResponse.objects.exists() and not Alert.objects.exists()


def test_it_raises_an_urgent_alert_for_phq9_item_9_with_the_evidence(phq9_due: Patient) -> None:
    response = submit_response(phq9_due, "phq-9", phq9(item9=2), by=phq9_due.user)
    alert = Alert.objects.get(patient=phq9_due)
    assert (alert.rule_id, alert.severity) == ("phq9.item9", Severity.URGENT)
    assert (alert.evidence_type, alert.evidence_id) == ("questionnaire_response", str(response.pk))
    assert "answered 'More than half the days'" in alert.reason
    assert "44260-8" in alert.source
    assert alert.organization_id == phq9_due.organization_id
    assert response.has_safety_answer


def test_it_stores_no_response_if_the_alert_cannot_be_raised(phq9_due: Patient) -> None:
    with (
        mock.patch("waymark.risk.services.raise_alert", side_effect=DatabaseError("down")),
        pytest.raises(DatabaseError),
    ):
        submit_response(phq9_due, "phq-9", phq9(item9=1), by=phq9_due.user)
    assert not QuestionnaireResponse.objects.exists()


def test_it_keeps_the_response_and_alert_in_one_transaction(phq9_due: Patient) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_response(phq9_due, "phq-9", phq9(item9=1), by=phq9_due.user)
        raise RuntimeError("the request failed after the service returned")
    assert not QuestionnaireResponse.objects.exists() and not Alert.objects.exists()


def test_it_refuses_to_change_a_stored_response(phq9_due: Patient) -> None:
    response = submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user)
    response.primary_score = 0  # type: ignore[assignment]
    with pytest.raises(ValidationError, match="cannot be changed"):
        response.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        response.delete()


def test_it_has_the_database_refuse_an_update_too(phq9_due: Patient) -> None:
    response = submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        QuestionnaireResponse.objects.filter(pk=response.pk).update(primary_score=0)
    assert QuestionnaireResponse.objects.get(pk=response.pk).primary_score == 8


def test_it_still_lets_a_patients_records_be_erased(phq9_due: Patient) -> None:
    first = submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user)
    start_correction(phq9_due, first)
    submit_response(phq9_due, "phq-9", phq9(item9=1), by=phq9_due.user, corrects=first)
    phq9_due.delete()
    assert not QuestionnaireResponse.objects.exists()


def test_it_stores_a_correction_as_a_new_response_pointing_at_the_old(phq9_due: Patient) -> None:
    original = submit_response(phq9_due, "phq-9", phq9([3] * 8 + [0]), by=phq9_due.user)
    start_correction(phq9_due, original)
    correction = submit_response(
        phq9_due, "phq-9", phq9([1] * 8 + [0]), by=phq9_due.user, corrects=original
    )
    assert correction.pk != original.pk and correction.corrects == original
    assert QuestionnaireResponse.objects.get(pk=original.pk).primary_score == 24  # untouched
    assert standing_responses(phq9_due, "phq-9") == [correction]
    assert not Draft.objects.exists()


def test_it_refuses_to_correct_twice_or_someone_elses_or_an_old_response(
    phq9_due: Patient, dana: Patient, frozen: time_machine.Coordinates
) -> None:
    original = submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user)
    submit_response(phq9_due, "phq-9", phq9([0] * 9), by=phq9_due.user, corrects=original)
    with pytest.raises(ServiceError, match="already been corrected"):
        submit_response(phq9_due, "phq-9", phq9([2] * 9), by=phq9_due.user, corrects=original)
    with pytest.raises(ServiceError, match="not yours"):
        start_correction(dana, original)
    fresh = QuestionnaireResponse.objects.standing().get(patient=phq9_due)
    frozen.shift(dt.timedelta(days=8))
    with pytest.raises(ServiceError, match="corrected for 7 days"):
        start_correction(phq9_due, fresh)


def test_it_treats_a_double_tap_as_one_response(phq9_due: Patient) -> None:
    first = submit_response(phq9_due, "phq-9", phq9(item9=1), by=phq9_due.user)
    again = submit_response(phq9_due, "phq-9", phq9(item9=1), by=phq9_due.user)
    assert again.pk == first.pk
    assert QuestionnaireResponse.objects.count() == 1
    assert Alert.objects.get().occurrences == 1


def test_it_does_not_take_a_second_different_response_once_completed(phq9_due: Patient) -> None:
    submit_response(phq9_due, "phq-9", phq9(), by=phq9_due.user)
    with pytest.raises(ServiceError, match="not on your list"):
        submit_response(phq9_due, "phq-9", phq9([0] * 9), by=phq9_due.user)


def test_it_offers_a_phq9_after_a_who5_of_28_or_below(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    response = submitted(alice, "who-5", numbered([1, 1, 1, 2, 2]))  # 7 x 4 = 28
    assert response.scores["offers"] == ["phq-9"]
    offer = Assignment.objects.get(patient=alice)
    assert (offer.questionnaire_key, offer.reason) == ("phq-9", AssignmentReason.OFFER)
    assert [row.key for row in todo_for(alice).open] == ["phq-9"]


def test_it_does_not_offer_a_phq9_above_28(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    submitted(alice, "who-5", numbered([2, 2, 2, 1, 1]))  # 32
    assert not Assignment.objects.exists()


def test_it_keeps_page_answers_in_a_draft_and_checks_each_page(phq9_due: Patient) -> None:
    from waymark.questionnaires.services import current_questionnaire

    questionnaire = current_questionnaire(phq9_due.organization_id, "phq-9")
    save_page(phq9_due, questionnaire, ["1", "2", "3"], {"1": "2", "2": "1", "3": "0"})
    with pytest.raises(ServiceError) as caught:
        save_page(phq9_due, questionnaire, ["4", "5", "6"], {"4": "1", "5": ""})
    assert set(caught.value.errors) == {"5", "6"}
    draft = Draft.objects.get(patient=phq9_due)
    assert draft.answers == {"1": 2, "2": 1, "3": 0}


def test_it_stores_the_bam_scoring_form_the_schedule_chose(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    from waymark.questionnaires.tests.helpers import bam_answers

    make_due(alice, "bam", scoring_form="day_count")
    response = submit_response(alice, "bam", bam_answers(q4=3), by=alice.user)
    assert response.scoring_form == "day_count"
    assert response.scores["form"] == "day_count"
    assert response.primary_score == 1  # the published Use score: 3 days recodes to 1
