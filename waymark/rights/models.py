"""An account's end: its closure, a legal hold on its record, and its erasure.

A closed account cannot sign in and leaves the caseload, but its record is kept for the
organization's retention period (`Organization.retention_years`). After that, and only
while no legal hold is set, an organization admin may erase it: every row of the
patient's data is deleted and the patient row itself is de-identified. The patient row,
this one and the audit trail stay: the audit table is append-only and its rows point at
the patient's id (never a name), and this row says when and by whom it was erased.

`erased_at` is also what lets the database delete the patient's signed notes and
addenda, which it otherwise refuses (notes/migrations/0003_rights_signed_notes_erasable).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class AccountClosure(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # One per patient (the constraint below, which includes the organization like every
    # unique constraint); `closure` is how the caseload leaves closed accounts out.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="closure")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    legal_hold = models.BooleanField(
        default=False, help_text="While set, the record may not be erased, whatever its age."
    )
    legal_hold_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="The matter the hold is for (a case reference, not the patient's name).",
    )
    legal_hold_changed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"], name="closure_one_per_patient"
            ),
            models.CheckConstraint(
                condition=models.Q(legal_hold=False) | ~models.Q(legal_hold_reason=""),
                name="closure_hold_has_reason",
                violation_error_message="Say what the legal hold is for.",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure of {self.patient_id}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def retention_ends_on(self, years: int, last_entry_at: dt.datetime | None) -> dt.date:
        """The first day the record may be erased: `years` after the closure, or after the
        last entry written since (a note a clinician added after the closure)."""
        start = max(self.closed_at, last_entry_at or self.closed_at).date()
        try:
            return start.replace(year=start.year + years)
        except ValueError:  # 29 February, in a year that has none
            return start.replace(year=start.year + years, day=28)
