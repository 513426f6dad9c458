"""Demo medications, including combinations that raise safety flags.

Added through medications.services by each patient's primary clinician, so the
flags and their alerts appear as in real use: methadone or buprenorphine for a
patient who uses ketamine raises the "depressed breathing" alert, a stimulant for
one who drinks the heart-and-circulation alert, a medicine recorded for ketamine use
disorder the "none approved" context; naltrexone for drinking raises nothing (the
ketamine "review" is only for ketamine given as treatment). Patients who already
have medications are left as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from waymark.demo.registry import DemoContext, demo_step
from waymark.medications.models import Medication, PrescribedFor
from waymark.medications.services import MedicationData, add_medication
from waymark.notes.demo import primary_clinician_actor


@dataclass(frozen=True)
class Plan:
    name: str
    dose: str
    started_days_ago: int
    prescribed_for: str = ""
    detail: str = ""
    stopped_days_ago: int | None = None
    drug_class: str = ""  # empty: from the vocabulary

    def data(self, today: dt.date) -> MedicationData:
        stopped = self.stopped_days_ago
        return MedicationData(
            name=self.name,
            drug_class=self.drug_class,
            dose=self.dose,
            started_on=today - dt.timedelta(days=self.started_days_ago),
            stopped_on=None if stopped is None else today - dt.timedelta(days=stopped),
            prescribed_for=self.prescribed_for,
            prescribed_for_detail=self.detail,
        )


KUD, AUD, OUD = (
    PrescribedFor.KETAMINE_USE_DISORDER,
    PrescribedFor.ALCOHOL_USE_DISORDER,
    PrescribedFor.OPIOID_USE_DISORDER,
)
# One list per patient, for the first patients in care of each organization.
PLANS: tuple[tuple[Plan, ...], ...] = (
    (Plan("Methadone", "60 mg once a day", 200, OUD),),
    (
        Plan("Naltrexone", "50 mg once a day", 40, AUD),
        Plan("Sertraline", "50 mg once a day", 90, PrescribedFor.MOOD_ANXIETY),
    ),
    (Plan("Mirtazapine", "15 mg at night", 10, KUD, "poor sleep and low mood in withdrawal"),),
    (
        Plan("Chlordiazepoxide", "reducing course", 24, PrescribedFor.WITHDRAWAL, "alcohol", 17),
        Plan("Acamprosate", "666 mg three times a day", 16, AUD),
    ),
    (Plan("Methylphenidate", "20 mg in the morning", 400, PrescribedFor.OTHER, "ADHD"),),
    (Plan("Buprenorphine", "16 mg once a day", 120, OUD),),
)


@demo_step(order=710)
def seed_medications(ctx: DemoContext) -> None:
    """Medications for the first patients in care of each organization."""
    in_care = {patient.pk for patient in ctx.patients_in_care()}
    chosen = [
        (patient, plans)
        for demo_org in ctx.organizations
        for patient, plans in zip(
            [p for p in demo_org.patients if p.pk in in_care], PLANS, strict=False
        )
    ]
    done = set(
        Medication.objects.filter(patient__in=[p for p, _ in chosen]).values_list(
            "patient_id", flat=True
        )
    )
    todo = [(patient, plans) for patient, plans in chosen if patient.pk not in done]
    ctx.progress.expect(len(todo))
    for patient, plans in todo:
        actor = primary_clinician_actor(patient)
        if actor is not None:
            for plan in plans:
                add_medication(actor, patient, plan.data(ctx.today))
        ctx.progress.advance()
