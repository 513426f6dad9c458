"""CIWA-Ar (Sullivan et al. 1989): scoring, and a clinician recording it for a patient."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from waymark.audit.models import AuditEvent
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.scoring import clean_answers, score
from waymark.questionnaires.services import available_questionnaires
from waymark.questionnaires.tests.helpers import definition, numbered

# A worked example: nausea 1, tremor 4, sweats 1, anxiety 4, agitation 1, tactile 0,
# auditory 0, visual 1, headache 2, orientation 0 = 14, moderate (8-15).
MODERATE = [1, 4, 1, 4, 1, 0, 0, 1, 2, 0]


def _band(answers: list[int]) -> tuple[Decimal, str]:
    ciwa = definition("ciwa-ar")
    (total,) = score(ciwa, clean_answers(ciwa, numbered(answers))).scales
    assert total.band is not None
    return total.value, total.band.code


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0] * 10, 0, "minimal"),
        ([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], 7, "minimal"),
        (MODERATE, 14, "moderate"),
        ([2, 4, 2, 4, 1, 0, 0, 1, 2, 0], 16, "severe"),
        ([7] * 9 + [4], 67, "severe"),
    ],
)
def test_it_scores_the_ciwa_ar_in_the_published_range(
    answers: list[int], total: int, band: str
) -> None:
    assert _band(answers) == (Decimal(total), band)


def test_it_refuses_an_orientation_rating_above_4() -> None:
    ciwa = definition("ciwa-ar")
    with pytest.raises(Exception):  # noqa: B017 - AnswerError names the question
        clean_answers(ciwa, numbered([0] * 9 + [5]))


def _url(patient: Patient) -> str:
    return reverse("questionnaires:record_rating", args=[patient.pk, "ciwa-ar"])


def _post(answers: list[int]) -> dict[str, str]:
    return {f"a-{n}": str(v) for n, v in numbered(answers).items()}


def test_it_lets_a_clinician_record_a_ciwa_ar(alice: Patient, bob: User, client_for) -> None:
    client = client_for(bob)
    assert "Tremor" in client.get(_url(alice)).content.decode()

    sent = client.post(_url(alice), _post(MODERATE))

    response = QuestionnaireResponse.objects.get(patient=alice, questionnaire_key="ciwa-ar")
    assert sent.status_code == 302 and str(response.pk) in sent["Location"]
    assert response.primary_score == 14 and response.primary_band == "moderate"
    assert response.submitted_by == bob
    assert AuditEvent.objects.filter(
        object_type="questionnaire_response", object_id=str(response.pk), action="create"
    ).exists()


def test_it_names_a_missing_rating_and_saves_nothing(alice: Patient, bob: User, client_for) -> None:
    answers = _post(MODERATE)
    del answers["a-10"]

    sent = client_for(bob).post(_url(alice), answers)

    assert sent.status_code == 422
    assert not QuestionnaireResponse.objects.filter(patient=alice).exists()


def test_it_hides_another_organizations_patient(erin: Patient, bob: User, client_for) -> None:
    assert client_for(bob).get(_url(erin)).status_code == 404


def test_it_refuses_a_patient(alice: Patient, client_for) -> None:
    assert client_for(alice.user).post(_url(alice), _post(MODERATE)).status_code == 403
    assert not QuestionnaireResponse.objects.filter(patient=alice).exists()


def test_it_records_only_clinician_ratings(alice: Patient, bob: User, client_for) -> None:
    url = reverse("questionnaires:record_rating", args=[alice.pk, "phq-9"])
    assert client_for(bob).get(url).status_code == 404


def test_it_never_puts_the_ciwa_ar_on_a_patients_list(alice: Patient) -> None:
    assert "ciwa-ar" not in {q.key for q in available_questionnaires(alice.organization_id)}
