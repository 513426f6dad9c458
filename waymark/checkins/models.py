"""Daily check-ins, reported use (lapses), milestones, the detox withdrawal log,
"talk to staff now" requests, and the idempotency keys that make every submission safe
to retry.

Every table carries `organization` and every unique constraint includes it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from waymark.checkins.choices import (
    AMOUNT_MAX_LENGTH,
    LAPSE_NOTE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    WITHDRAWAL_FIELDS,
    WITHDRAWAL_SYMPTOMS,
    Mood,
    SleepQuality,
    SymptomLevel,
)
from waymark.organizations.models import Organization
from waymark.patients.models import Patient, ProgramStay, Substance


def _zero_to_ten(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__gte": 0, f"{name}__lte": 10}),
        name=f"checkin_{name}_0_to_10",
    )


class CheckIn(models.Model):
    """One patient's check-in for one local day (the patient's own time zone)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    local_date = models.DateField(help_text="The patient's local day this check-in is for.")
    craving = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    mood = models.PositiveSmallIntegerField(choices=Mood.choices)
    sleep_hours = models.DecimalField(
        max_digits=3, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    sleep_quality = models.PositiveSmallIntegerField(choices=SleepQuality.choices)
    stress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    triggers = models.JSONField(default=list, blank=True)
    habits = models.JSONField(default=list, blank=True)
    meetings = models.JSONField(default=list, blank=True)
    symptoms = models.JSONField(default=list, blank=True, help_text="Ketamine physical symptoms.")
    safety_concern = models.BooleanField(
        help_text="Thoughts of self-harm or of being better off dead since the last check-in."
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    completed_at = models.DateTimeField(help_text="When the patient finished it (maybe offline).")
    completed_on = models.DateField(help_text="The patient's local day it was finished on.")
    submitted_at = models.DateTimeField(help_text="When the server first received it.")
    updated_at = models.DateTimeField()
    revision = models.PositiveIntegerField(
        default=1, help_text="1 when first saved, one more for each change by the patient."
    )

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "local_date"], name="checkin_one_per_day"
            ),
            _zero_to_ten("craving"),
            _zero_to_ten("stress"),
            models.CheckConstraint(
                condition=models.Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(sleep_quality__gte=1, sleep_quality__lte=5),
                name="checkin_sleep_quality_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(sleep_hours__gte=0, sleep_hours__lte=24),
                name="checkin_sleep_hours_0_to_24",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__gte=models.F("local_date")),
                name="checkin_completed_on_or_after_its_day",
            ),
        ]
        indexes = [
            # Who went to a meeting in a period (the outcomes dashboard, meetings/
            # engagement.py): only the check-ins that ticked one, so the figure reads those
            # rather than every check-in of the period (3 M rows at 10,000 patients × a year).
            models.Index(
                fields=["organization", "local_date", "patient"],
                condition=~models.Q(meetings=[]),
                name="checkin_with_meetings",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in for {self.local_date}"

    @property
    def is_late(self) -> bool:
        """Filled in after its day had ended (e.g. yesterday's, filled in this morning)."""
        return self.completed_on > self.local_date

    def is_editable(self, today: dt.date) -> bool:
        """It can be changed until the end of the local day it was filled in on."""
        return today == self.completed_on

    def mood_label(self) -> str:
        return Mood(self.mood).label

    def sleep_quality_label(self) -> str:
        return SleepQuality(self.sleep_quality).label


class SubstanceUse(models.Model):
    """Use of a substance reported in a check-in: a lapse. Never deleted by later answers
    about other days; the patient may add a note about what happened."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="substance_uses")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="uses")
    substance = models.CharField(max_length=20, choices=Substance.choices)
    used_on = models.DateField(help_text="The day of the check-in that reported it.")
    amount = models.CharField(max_length=AMOUNT_MAX_LENGTH, blank=True)
    note = models.TextField(max_length=LAPSE_NOTE_MAX_LENGTH, blank=True)
    as_prescribed = models.BooleanField(
        default=False, help_text="A prescribed medicine taken as prescribed: not a lapse."
    )

    class Meta:
        ordering = ["-used_on", "substance"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "checkin", "substance"], name="use_one_per_checkin"
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient", "substance", "used_on"])]

    def __str__(self) -> str:
        return f"{self.get_substance_display()} on {self.used_on}"


class Milestone(models.Model):
    """A milestone reached in one run of days without a substance, recorded when it was
    first celebrated so it is never celebrated twice."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="milestones")
    substance = models.CharField(max_length=20, choices=Substance.choices)
    days = models.PositiveIntegerField(help_text="1, 7, 14, … or 365 × years.")
    run_started_on = models.DateField(help_text="The day the run of days was counted from.")
    reached_on = models.DateField()
    celebrated_at = models.DateTimeField()

    class Meta:
        ordering = ["-reached_on", "-days"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "substance", "run_started_on", "days"],
                name="milestone_once_per_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days} days without {self.get_substance_display()}"


class TrackedSubstance(models.Model):
    """The patient's own settings for one counter: the day they count from, an optional
    amount they used to spend a day, and whether they keep the counter at all. Without a
    row, a counter counts from the recovery start date (sobriety.counting_start)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="tracked_substances"
    )
    substance = models.CharField(max_length=20, choices=Substance.choices)
    started_on = models.DateField(help_text="The day this counter counts from (day 0).")
    amount_per_day = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What the patient used to spend on it a day (optional), for money saved.",
    )
    tracking = models.BooleanField(default=True, help_text="Off: the patient stopped the counter.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["substance"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "substance"], name="tracked_one_per_substance"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_per_day__isnull=True) | models.Q(amount_per_day__gte=0),
                name="tracked_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_substance_display()} from {self.started_on}"


class CounterStartChange(models.Model):
    """A change of a counter's start date by the patient: a correction, never a lapse.
    Kept so the history of the counter stays readable."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    substance = models.CharField(max_length=20, choices=Substance.choices)
    previous_start = models.DateField(null=True, blank=True)
    new_start = models.DateField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["organization", "patient", "substance"])]

    def __str__(self) -> str:
        return f"{self.substance}: {self.previous_start} → {self.new_start}"


def _symptom_field(label: str) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        label, choices=SymptomLevel.choices, default=SymptomLevel.NONE
    )


class WithdrawalEntry(models.Model):
    """One entry of the detox withdrawal log: 11 symptoms, each none/mild/moderate/severe."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="withdrawal_entries"
    )
    stay = models.ForeignKey(
        ProgramStay, on_delete=models.CASCADE, related_name="withdrawal_entries",
        help_text="The detox stay it was logged in (the timeline counts from its start).",
    )  # fmt: skip
    recorded_at = models.DateTimeField(help_text="When the patient filled it in.")
    submitted_at = models.DateTimeField()
    craving = _symptom_field("Craving")
    anxiety = _symptom_field("Anxiety")
    low_mood = _symptom_field("Low mood")
    irritability = _symptom_field("Irritability")
    restlessness = _symptom_field("Restlessness")
    sleep_problems = _symptom_field("Sleep problems")
    fatigue = _symptom_field("Tiredness")
    poor_concentration = _symptom_field("Poor concentration")
    tremor = _symptom_field("Shaking (tremor)")
    sweating = _symptom_field("Sweating")
    appetite_change = _symptom_field("Change in appetite")
    note = models.TextField(blank=True, max_length=LAPSE_NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name_plural = "withdrawal entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__lte": SymptomLevel.SEVERE}),
                name=f"withdrawal_{name}_at_most_severe",
            )
            for name in WITHDRAWAL_FIELDS
        ]
        indexes = [models.Index(fields=["organization", "patient", "recorded_at"])]

    def __str__(self) -> str:
        return f"Withdrawal log at {self.recorded_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        """0–33: the sum of the 11 ratings (a summary for the chart, not a validated score)."""
        return sum(getattr(self, name) for name in WITHDRAWAL_FIELDS)

    def ratings(self) -> list[tuple[str, str, int]]:
        """(field, label, level) for each symptom."""
        return [(name, label, getattr(self, name)) for name, label in WITHDRAWAL_SYMPTOMS]

    def local_time(self, timezone: str) -> dt.datetime:
        return self.recorded_at.astimezone(zoneinfo.ZoneInfo(timezone))


class StaffRequest(models.Model):
    """A patient in detox asked to talk to staff now (raises an urgent alert)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="staff_requests")
    stay = models.ForeignKey(
        ProgramStay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["organization", "patient", "requested_at"])]

    def __str__(self) -> str:
        return f"Asked to talk to staff at {self.requested_at:%Y-%m-%d %H:%M}"


class SubmissionKind(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    WITHDRAWAL = "withdrawal", "Withdrawal log entry"
    STAFF_REQUEST = "staff_request", "Talk to staff now"


class SubmissionKey(models.Model):
    """A client-generated key seen once: a retry with the same key and content gets the
    same object back; the same key with other content is refused."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    kind = models.CharField(max_length=20, choices=SubmissionKind.choices)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the submitted content.")
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "key"], name="submission_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
