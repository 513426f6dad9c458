"""Demo data: every demo patient's risk, computed by the real rules from the seeded data.

Runs after the steps that add check-ins, questionnaires, notes and medications (they
bulk-insert history, which does not pass through the services that reassess).
"""

from __future__ import annotations

from waymark.demo.registry import DemoContext, demo_step
from waymark.risk.models import PatientRisk
from waymark.risk.services import reassess


@demo_step(order=900)
def assess_risk(ctx: DemoContext) -> None:
    assessed = set(PatientRisk.objects.values_list("patient_id", flat=True))
    patients = [patient for patient in ctx.patients if patient.pk not in assessed]
    ctx.progress.expect(len(patients))
    for patient in patients:
        reassess(patient)
        ctx.progress.advance()
