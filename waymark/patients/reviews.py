"""Who last opened a patient's record: the caseload's "last reviewed by me" marker and its
"not reviewed by me in 7 days" filter (issue 16). Reviewing is opening the record."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from waymark.access import Actor
from waymark.patients.models import Patient, RecordReview

REVIEW_DAYS = 7


def record_reviewed(actor: Actor, patient: Patient, *, now: dt.datetime | None = None) -> None:
    """Mark the record as reviewed by the actor now: one upsert, whatever came before."""
    RecordReview.objects.bulk_create(
        [
            RecordReview(
                organization_id=patient.organization_id, patient=patient,
                reviewer=actor.user, reviewed_at=now or timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["organization", "patient", "reviewer"],
        update_fields=["reviewed_at"],
    )  # fmt: skip


def not_reviewed_by(
    patients: QuerySet[Patient], reviewer_id: int, now: dt.datetime
) -> QuerySet[Patient]:
    """Patients whose record `reviewer_id` has not opened in the last REVIEW_DAYS days."""
    recent = RecordReview.objects.filter(
        organization=OuterRef("organization"), patient=OuterRef("pk"), reviewer_id=reviewer_id,
        reviewed_at__gte=now - dt.timedelta(days=REVIEW_DAYS),
    )  # fmt: skip
    return patients.filter(~Exists(recent))


def attach_reviews(patients: list[Patient], reviewer_id: int) -> list[Patient]:
    """Set `reviewed_at` (when `reviewer_id` last opened the record, or None) on a page of
    the caseload: one query for the page."""
    reviewed = dict(
        RecordReview.objects.filter(
            patient__in=[p.pk for p in patients], reviewer_id=reviewer_id
        ).values_list("patient_id", "reviewed_at")
    )
    for patient in patients:
        patient.reviewed_at = reviewed.get(patient.pk)  # type: ignore[attr-defined]
    return patients
