"""Each patient's current risk level with its reasons, and each organization's thresholds.

PatientRisk is recomputed when new data arrives (a check-in, a questionnaire, a
withdrawal entry, a transition, the hourly missed check-in job) — never on page view —
and carries what the caseload shows, so the caseload is one query at any size.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from waymark.alerts.models import Severity
from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class RiskSettings(models.Model):
    """Thresholds an organization may adjust. Defaults are the product's risk rules."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # Issue 16, point 7: labels in plain words ("PHQ-9 score high", not "Phq9 high").
    craving_high = models.PositiveSmallIntegerField(
        "craving high (0–10)", default=8, validators=[MaxValueValidator(10)]
    )
    craving_moderate = models.PositiveSmallIntegerField(
        "craving moderate (0–10)", default=6, validators=[MaxValueValidator(10)]
    )
    craving_rise = models.DecimalField(
        "rise of the 7-day mean craving over the previous 14 days",
        max_digits=3, decimal_places=1, default=2,
        validators=[MinValueValidator(0.5), MaxValueValidator(10)],
    )  # fmt: skip
    use_days_urgent = models.PositiveSmallIntegerField(
        "days with use in the last 7 that make it urgent",
        default=3, validators=[MinValueValidator(1), MaxValueValidator(7)],
    )  # fmt: skip
    missed_days_moderate = models.PositiveSmallIntegerField(
        "missed check-in days: moderate", default=3, validators=[MinValueValidator(1)]
    )
    missed_days_high = models.PositiveSmallIntegerField(
        "missed check-in days: high", default=7, validators=[MinValueValidator(1)]
    )
    phq9_high = models.PositiveSmallIntegerField(
        "PHQ-9 score high", default=20, validators=[MaxValueValidator(27)]
    )
    phq9_moderate = models.PositiveSmallIntegerField(
        "PHQ-9 score moderate", default=15, validators=[MaxValueValidator(27)]
    )
    phq9_rise = models.PositiveSmallIntegerField(
        "PHQ-9 score rise (points)", default=5, validators=[MaxValueValidator(27)]
    )
    bam_risk_high = models.PositiveSmallIntegerField(
        "BAM risk factors high", default=12, validators=[MaxValueValidator(24)]
    )
    bam_protective_low = models.PositiveSmallIntegerField(
        "BAM protective factors low", default=12, validators=[MaxValueValidator(24)]
    )
    tolerance_days = models.PositiveSmallIntegerField(
        "days without a depressant after which use means lower tolerance",
        default=7, validators=[MinValueValidator(1), MaxValueValidator(365)],
    )  # fmt: skip
    transition_days = models.PositiveSmallIntegerField(
        "days after a discharge that the patient is watched (missed check-ins weigh more)",
        default=30, validators=[MaxValueValidator(365)],
    )  # fmt: skip

    class Meta:
        verbose_name_plural = "risk settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="risksettings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(craving_high__gte=models.F("craving_moderate")),
                name="risksettings_craving_ordered",
                violation_error_message="The high craving threshold must not be below moderate.",
            ),
            models.CheckConstraint(
                condition=models.Q(missed_days_high__gte=models.F("missed_days_moderate")),
                name="risksettings_missed_ordered",
                violation_error_message="High missed days must not be fewer than moderate.",
            ),
            models.CheckConstraint(
                condition=models.Q(phq9_high__gte=models.F("phq9_moderate")),
                name="risksettings_phq9_ordered",
                violation_error_message="The high PHQ-9 threshold must not be below moderate.",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk settings of {self.organization}"


class PatientRisk(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risks")
    level = models.PositiveSmallIntegerField(default=0, help_text="0 none; else a Severity.")
    reasons = models.JSONField(default=list, help_text="[{rule, level, reason, source, …}]")
    last_checkin_on = models.DateField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    craving_14d = models.JSONField(default=list, help_text="14 values (None when no check-in).")
    phq9_score = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_band = models.CharField(max_length=40, blank=True)
    phq9_on = models.DateField(null=True, blank=True)
    program_since = models.DateField(
        null=True, blank=True, help_text="Start of the open program stay (the caseload's days)."
    )
    assessed_at = models.DateTimeField()
    # The caseload's view of the patient's alerts, kept current by alerts.services whenever
    # an alert opens, repeats, is acknowledged or resolved (so sorting needs no join).
    unacked_alert_level = models.PositiveSmallIntegerField(
        default=0, help_text="Highest severity of an alert nobody has acknowledged (0 none)."
    )
    unresolved_alert_level = models.PositiveSmallIntegerField(default=0)
    urgent_unacked = models.BooleanField(
        default=False, help_text="An urgent alert nobody has acknowledged: top of the caseload."
    )
    sort_level = models.PositiveSmallIntegerField(
        default=0, help_text="The rolling level, or an unacknowledged alert's if higher."
    )

    # Written by alerts.services.refresh_alert_summary alone (with the derived order).
    ALERT_FIELDS = ("unacked_alert_level", "unresolved_alert_level", "urgent_unacked", "sort_level")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "patient"], name="patientrisk_one"),
        ]
        indexes = [
            # Issue 13, point 3: exactly the caseload's keyset order (patients.keyset), the
            # nulls included, so a page walks ~50 entries instead of sorting everyone.
            models.Index(
                models.F("organization"),
                models.F("urgent_unacked").desc(),
                models.F("sort_level").desc(),
                models.F("last_activity_at").desc(nulls_last=True),
                models.F("patient"),
                name="patientrisk_caseload_keyset",
            ),
            # Issue 16: the caseload's other sorts, each read a page at a time by keyset.
            models.Index(
                models.F("organization"),
                models.F("last_checkin_on").desc(),
                models.F("patient"),
                name="patientrisk_by_checkin",
            ),
            models.Index(
                models.F("organization"),
                models.F("phq9_score").desc(),
                models.F("patient"),
                name="patientrisk_by_phq9",
            ),
            models.Index(
                fields=["organization", "program_since", "patient"], name="patientrisk_by_program"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk {self.level} for {self.patient_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The caseload order always follows the rolling level and the unacknowledged alerts.
        self.urgent_unacked = self.unacked_alert_level >= Severity.URGENT
        self.sort_level = max(self.level, self.unacked_alert_level)
        super().save(*args, **kwargs)

    def set_alert_levels(self, *, unacked: int, unresolved: int) -> None:
        self.unacked_alert_level, self.unresolved_alert_level = unacked, unresolved


class PendingReassessment(models.Model):
    """A reassessment of the patient waiting to run: the queue itself (issue 13, point 2).

    Workers take these rows directly (risk/tasks.py `claim_reassessment`), so a check-in
    queues its reassessment with this one row and no task row. There is one per patient:
    a check-in that finds one unclaimed adds nothing, since that reassessment has not read
    the patient's data yet and will see this check-in too. The check-in locks the row
    until it commits (`reassess_soon`) and a worker claims only rows nobody holds (SKIP
    LOCKED), so a claim never overtakes a check-in still being written. Once claimed
    (`claimed_at` set, committed before anything is read), a check-in puts the row back in
    the queue (`claimed_at` cleared); the worker then removes it only if it still holds
    its own claim, so that check-in is read by a second run. The claim of a worker that
    has stopped beating is released (notifications/worker.py `recover_stalled_tasks`,
    as for its tasks), and the row claimed again.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="")  # a worker id

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"], name="pendingreassessment_one_per_patient"
            )
        ]

    def __str__(self) -> str:
        return f"Reassessment of {self.patient_id} queued at {self.queued_at}"
