"""Demo plans: two versions and some coping uses for each patient in care; nothing on a re-run."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from waymark.patients.models import Patient
from waymark.plans.models import CopingUse, PlanVersion
from waymark.plans.services import diff, what_helps


def test_it_gives_demo_patients_a_plan_in_two_versions_and_adds_nothing_again(
    db: None, settings: Any, tmp_path: Path
) -> None:
    settings.DEMO = True
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    in_care = list(Patient.objects.in_care())
    assert in_care
    for patient in in_care:
        first, second = PlanVersion.objects.filter(patient=patient).order_by("number")
        assert [c.label for c in diff(first, second)] == [
            "Coping strategies for each trigger",
            "People to call",
        ]
        assert what_helps(patient)
    counts = (PlanVersion.objects.count(), CopingUse.objects.count())
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    assert (PlanVersion.objects.count(), CopingUse.objects.count()) == counts
