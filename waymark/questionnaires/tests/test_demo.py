"""The demo: schedules for every program and 90 days of responses that tell a story —
some improving, some worsening, one positive PHQ-9 item 9 with its urgent alert."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from waymark.alerts.models import Alert, Severity
from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse, Schedule


@pytest.fixture
def seeded(db: None, settings: Any, tmp_path: Path) -> Path:
    settings.DEMO = True
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    return tmp_path / "demo-logins.json"


def first_and_last(patient: Patient, key: str = "phq-9") -> tuple[int, int] | None:
    scores = list(
        QuestionnaireResponse.objects.standing()
        .filter(patient=patient, questionnaire_key=key)
        .order_by("submitted_at")
        .values_list("primary_score", flat=True)
    )
    return (int(scores[0]), int(scores[-1])) if len(scores) >= 3 else None


def test_it_schedules_questionnaires_for_every_program(seeded: Path) -> None:
    for organization in Organization.objects.all():
        for program in Program.objects.filter(organization=organization):
            assert Schedule.objects.filter(organization=organization, program=program).exists()
    residential = Schedule.objects.filter(program__level="residential", questionnaire_key="phq-9")
    assert {s.describe() for s in residential} >= {
        "every 14 days",
        "30 days after discharge from care",
    }
    assert Schedule.objects.filter(questionnaire_key="bam", scoring_form="likert").exists()


def test_it_seeds_90_days_of_every_questionnaire(seeded: Path) -> None:
    responses = QuestionnaireResponse.objects.all()
    assert responses.count() > 200
    keys = set(responses.values_list("questionnaire_key", flat=True))
    assert keys == {"phq-9", "gad-7", "who-5", "bam", "audit-c", "sds-ketamine"}
    oldest = responses.order_by("submitted_at").first()
    assert oldest is not None
    assert oldest.submitted_at >= timezone.now() - dt.timedelta(days=92)
    assert not responses.filter(submitted_at__gt=timezone.now()).exists()
    for response in responses.select_related("patient"):
        assert response.organization_id == response.patient.organization_id


def test_it_seeds_improving_and_worsening_courses(seeded: Path) -> None:
    courses = [c for p in Patient.objects.all() if (c := first_and_last(p)) is not None]
    assert any(last <= first - 5 for first, last in courses)  # reliable improvement
    assert any(last >= first + 5 for first, last in courses)  # reliable worsening


def test_it_gives_the_signed_in_patient_an_improving_course(seeded: Path) -> None:
    username = json.loads(seeded.read_text())["patient"]["username"]
    patient = Patient.objects.get(user__username=username)
    course = first_and_last(patient)
    assert course is not None and course[1] < course[0]


def test_it_seeds_one_positive_item_9_with_its_urgent_alert(seeded: Path) -> None:
    (response,) = QuestionnaireResponse.objects.filter(has_safety_answer=True)
    assert response.answers["9"] == 1
    alert = Alert.objects.get(rule_id="phq9.item9")
    assert (alert.patient_id, alert.severity, alert.evidence_id) == (
        response.patient_id,
        Severity.URGENT,
        str(response.pk),
    )
    signed_in = json.loads(seeded.read_text())["patient"]["username"]
    assert response.patient.user.username != signed_in


def test_it_adds_nothing_on_a_second_run(seeded: Path) -> None:
    before = (
        QuestionnaireResponse.objects.count(),
        Schedule.objects.count(),
        Alert.objects.count(),
    )
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    after = (QuestionnaireResponse.objects.count(), Schedule.objects.count(), Alert.objects.count())
    assert after == before
