"""Demo data: every demo patient in care gets a relapse prevention plan in two versions
(the first written by the patient, the second with their clinician), a safety plan written
with their clinician, and a few coping-tool uses. Bulk-created; a patient who already has
a plan is left alone (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from waymark.demo.registry import DemoContext, demo_step
from waymark.patients.models import CareTeamMember, Patient
from waymark.plans.models import CopingTool, CopingUse, PlanVersion, SafetyPlanVersion

FIRST: dict[str, list[Any]] = {
    "triggers": ["Stress after work", "Friday nights", "Feeling lonely"],
    "warning_signs": ["Skipping meals", "Not answering messages"],
    "coping": ["Stress: a walk, then a shower", "Lonely: call someone on my list"],
    "routines": ["Bed by 11", "Breakfast every day", "Walk at lunchtime"],
    "contacts": [{"name": "My sister", "phone": "555-0100"}],
    "avoid": ["Old friends' flat", "Festivals"],
    "reasons": ["To feel well in my body again", "To be someone my family can rely on"],
    "after_lapse": ["Tell my care team the next day", "Go to a meeting that week"],
}
SECOND_CHANGES = {
    "contacts": [*FIRST["contacts"], {"name": "Sponsor", "phone": "555-0142"}],
    "coping": [*FIRST["coping"], "Friday nights: plan something before 6 pm"],
}

SAFETY: dict[str, list[Any]] = {
    "warning_signs": ["Lying awake going over things", "Not wanting to see anyone"],
    "on_my_own": ["Shower and clean clothes", "Music with headphones", "Slow breathing"],
    "distraction": ["The park by the river", "My cousin's kitchen"],
    "people": [{"name": "My sister", "phone": "555-0100"}],
    "professionals": [{"name": "My GP surgery", "phone": "555-0175"}],
    "safer_surroundings": ["My sister keeps my tablets and gives me a week at a time"],
    "reasons": ["My niece", "Seeing the sea again"],
}


def _versions(patient: Patient, clinician_id: int | None, now: dt.datetime) -> list[PlanVersion]:
    common = {"organization_id": patient.organization_id, "patient": patient}
    first = PlanVersion(**common, number=1, author_id=patient.user_id, author_role="patient",
                        created_at=now - dt.timedelta(days=10), content=FIRST)  # fmt: skip
    second = PlanVersion(
        **common, number=2, author_id=clinician_id or patient.user_id,
        author_role="clinician" if clinician_id else "patient",
        created_at=now - dt.timedelta(days=3), content={**FIRST, **SECOND_CHANGES},
    )  # fmt: skip
    return [first, second]


@demo_step(order=800)
def seed_plans(ctx: DemoContext) -> None:
    have_plans = set(PlanVersion.objects.values_list("patient_id", flat=True))
    patients = [p for p in ctx.patients_in_care() if p.pk not in have_plans]
    ctx.progress.expect(len(patients))
    clinicians = dict(
        CareTeamMember.objects.filter(patient__in=patients, is_primary=True).values_list(
            "patient_id", "clinician_id"
        )
    )
    now = timezone.now()
    versions: list[PlanVersion] = []
    safety: list[SafetyPlanVersion] = []
    uses: list[CopingUse] = []
    for patient in patients:
        versions += _versions(patient, clinicians.get(patient.pk), now)
        clinician_id = clinicians.get(patient.pk)
        safety.append(SafetyPlanVersion(
            organization_id=patient.organization_id, patient=patient, number=1,
            author_id=clinician_id or patient.user_id,
            author_role="clinician" if clinician_id else "patient",
            created_at=now - dt.timedelta(days=3), content=SAFETY,
        ))  # fmt: skip
        for days_ago, tool in enumerate((CopingTool.URGE_SURFING, CopingTool.BREATHING,
                                         CopingTool.URGE_SURFING), start=1):  # fmt: skip
            before = ctx.rng.randint(5, 9)
            uses.append(CopingUse(
                organization_id=patient.organization_id, patient=patient, tool=tool,
                used_at=now - dt.timedelta(days=days_ago, hours=ctx.rng.randint(0, 8)),
                craving_before=before, craving_after=max(0, before - ctx.rng.randint(1, 4)),
            ))  # fmt: skip
        ctx.progress.advance()
    PlanVersion.objects.bulk_create(versions)
    SafetyPlanVersion.objects.bulk_create(safety)
    CopingUse.objects.bulk_create(uses)
