"""The questionnaires demo step: schedules for every program and 90 days of responses that
tell a story — some improving, some worsening, one positive PHQ-9 item 9 with its urgent
alert. Run on a small demo (waymark/demo/tests/small.py), not the whole seed_demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.alerts.models import Alert, Severity
from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.demo.tests.small import run_step_at, step_of
from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient
from waymark.questionnaires import demo
from waymark.questionnaires.models import QuestionnaireResponse, Schedule


@pytest.fixture
def seeded(small_demo_ctx: DemoContext) -> DemoContext:
    run_step_at(small_demo_ctx, demo.seed_questionnaires, 600)
    return small_demo_ctx


def signed_in(ctx: DemoContext) -> Patient:
    """The patient you sign in as in the demo."""
    home = ctx.organization(NORTHSTAR.slug)
    return demo_patient(home, home.clinicians[0])


def first_and_last(patient: Patient, key: str = "phq-9") -> tuple[int, int] | None:
    scores = list(
        QuestionnaireResponse.objects.standing()
        .filter(patient=patient, questionnaire_key=key)
        .order_by("submitted_at")
        .values_list("primary_score", flat=True)
    )
    return (int(scores[0]), int(scores[-1])) if len(scores) >= 3 else None


def test_it_schedules_questionnaires_for_every_program(seeded: DemoContext) -> None:
    for organization in Organization.objects.all():
        for program in Program.objects.filter(organization=organization):
            assert Schedule.objects.filter(organization=organization, program=program).exists()
    residential = Schedule.objects.filter(program__level="residential", questionnaire_key="phq-9")
    assert {s.describe() for s in residential} >= {
        "every 14 days",
        "30 days after discharge from care",
    }
    assert Schedule.objects.filter(questionnaire_key="bam", scoring_form="likert").exists()


def test_it_seeds_90_days_of_every_questionnaire(seeded: DemoContext) -> None:
    responses = QuestionnaireResponse.objects.all()
    assert responses.count() >= 5 * len(seeded.patients)  # 200 for seed_demo's 45 patients
    keys = set(responses.values_list("questionnaire_key", flat=True))
    assert keys == {"phq-9", "gad-7", "who-5", "bam", "audit-c", "sds-ketamine"}
    oldest = responses.order_by("submitted_at").first()
    assert oldest is not None
    assert oldest.submitted_at >= timezone.now() - dt.timedelta(days=92)
    assert not responses.filter(submitted_at__gt=timezone.now()).exists()
    for response in responses.select_related("patient"):
        assert response.organization_id == response.patient.organization_id


def test_it_seeds_improving_and_worsening_courses(seeded: DemoContext) -> None:
    courses = [c for p in Patient.objects.all() if (c := first_and_last(p)) is not None]
    assert any(last <= first - 5 for first, last in courses)  # reliable improvement
    assert any(last >= first + 5 for first, last in courses)  # reliable worsening


def test_it_gives_the_signed_in_patient_an_improving_course(seeded: DemoContext) -> None:
    course = first_and_last(signed_in(seeded))
    assert course is not None and course[1] < course[0]


def test_it_seeds_one_positive_item_9_with_its_urgent_alert(seeded: DemoContext) -> None:
    (response,) = QuestionnaireResponse.objects.filter(has_safety_answer=True)
    assert response.answers["9"] == 1
    alert = Alert.objects.get(rule_id="phq9.item9")
    assert (alert.patient_id, alert.severity, alert.evidence_id) == (
        response.patient_id,
        Severity.URGENT,
        str(response.pk),
    )
    assert response.patient != signed_in(seeded)


def test_it_adds_nothing_on_a_second_run(seeded: DemoContext) -> None:
    before = (
        QuestionnaireResponse.objects.count(),
        Schedule.objects.count(),
        Alert.objects.count(),
    )
    run_step(seeded, step_of(demo.seed_questionnaires))
    after = (QuestionnaireResponse.objects.count(), Schedule.objects.count(), Alert.objects.count())
    assert after == before


def test_it_rates_one_detox_patients_withdrawal_and_the_care_team_hears_of_it(
    seeded: DemoContext,
) -> None:
    step = step_of(demo.seed_withdrawal_rating)
    run_step(seeded, step)
    (rating,) = QuestionnaireResponse.objects.filter(questionnaire_key="ciwa-ar")
    assert rating.primary_score == 12
    assert rating.submitted_by == seeded.organization(NORTHSTAR.slug).clinicians[0]
    alert = Alert.objects.get(rule_id="ciwa.withdrawal")
    assert (alert.patient_id, alert.severity) == (rating.patient_id, Severity.MODERATE)
    assert "CIWA-Ar 12 (moderate)" in alert.reason

    run_step(seeded, step)  # a second run adds nothing
    assert QuestionnaireResponse.objects.filter(questionnaire_key="ciwa-ar").count() == 1
    assert Alert.objects.filter(rule_id="ciwa.withdrawal").count() == 1
