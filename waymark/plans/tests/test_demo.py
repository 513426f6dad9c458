"""The plans demo step: two versions and some coping uses for each patient in care; nothing on
a re-run. Run on the personas (a small demo), not the whole seed_demo."""

from __future__ import annotations

import pytest

from waymark.accounts.models import User
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import persona_demo, run_step_at
from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.plans import demo
from waymark.plans.models import CopingUse, PlanVersion, SafetyPlanVersion
from waymark.plans.services import diff, what_helps


@pytest.fixture
def ctx(northstar: Organization, alice: Patient, dana: Patient, bob: User) -> DemoContext:
    return persona_demo(northstar, bob, [alice, dana])


def test_it_gives_demo_patients_a_plan_in_two_versions_and_adds_nothing_again(
    ctx: DemoContext,
) -> None:
    step = run_step_at(ctx, demo.seed_plans, 800)
    in_care = list(Patient.objects.in_care())
    assert len(in_care) == 2
    for patient in in_care:
        first, second = PlanVersion.objects.filter(patient=patient).order_by("number")
        assert [c.label for c in diff(first, second)] == [
            "Coping strategies for each trigger",
            "People to call",
        ]
        assert what_helps(patient)
        (safety,) = SafetyPlanVersion.objects.filter(patient=patient)
        assert safety.lines("people") == [{"name": "My sister", "phone": "555-0100"}]
    counts = [model.objects.count() for model in (PlanVersion, SafetyPlanVersion, CopingUse)]
    run_step(ctx, step)
    assert [m.objects.count() for m in (PlanVersion, SafetyPlanVersion, CopingUse)] == counts
