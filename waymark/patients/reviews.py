"""Who last opened a patient's record: the caseload's "last reviewed by me" marker and its
"not reviewed by me in 7 days" filter (issue 16). Reviewing is opening the record."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet, Subquery
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


def reviewed_at_by(reviewer_id: int) -> Subquery:
    """For a caseload query: when `reviewer_id` last opened each patient's record (or
    None). Read in the page's own query, for the rows of the page only."""
    return Subquery(
        RecordReview.objects.filter(
            organization=OuterRef("organization"), patient=OuterRef("pk"), reviewer_id=reviewer_id
        ).values("reviewed_at")[:1]
    )
