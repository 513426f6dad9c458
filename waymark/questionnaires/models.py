"""Questionnaires: definitions, schedules per program, assignments, drafts and responses.

Every table holding patient data carries `organization`, and each of its unique
constraints includes it. A submitted response is immutable: `save()` refuses an
update, and a database trigger (migration 0002) refuses UPDATE on SQLite and
PostgreSQL alike. A correction is a new response whose `corrects` points at the old.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient
from waymark.questionnaires.definition import Definition, parse_definition
from waymark.questionnaires.variants import base_key

# Definitions are immutable per checksum (loader.checksum of the file), so a cache keyed by
# it can never serve a stale one.
_PARSED: dict[str, Definition] = {}


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def available_to(self, organization_id: int) -> QuestionnaireQuerySet:
        """Waymark's own definitions and the organization's, current versions only."""
        return self.filter(
            models.Q(organization__isnull=True) | models.Q(organization_id=organization_id),
            is_current=True,
        )


class Questionnaire(models.Model):
    """One version of a definition file. Global (shipped) ones have no organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.SlugField(max_length=60, help_text="The definition's id, e.g. phq-9.")
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=40)
    definition = models.JSONField(help_text="The definition file: FHIR Questionnaire + waymark.")
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=300, blank=True)
    is_current = models.BooleanField(default=True, help_text="The version new responses use.")
    loaded_at = models.DateTimeField(default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["short_title", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=models.Q(organization__isnull=True),
                name="questionnaire_unique_global_version",
            ),
            models.UniqueConstraint(
                fields=["organization", "key", "version"],
                condition=models.Q(organization__isnull=False),
                name="questionnaire_unique_org_version",
            ),
        ]

    def __str__(self) -> str:
        owner = "Waymark" if self.organization_id is None else "organization"
        return f"{self.short_title} v{self.version} ({owner})"

    @property
    def base_key(self) -> str:
        """The key schedules and responses use: a variant's base (see variants.py)."""
        return base_key(self.key)

    @property
    def parsed(self) -> Definition:
        """The checked definition; parsed once per process for each distinct file text."""
        definition = _PARSED.get(self.checksum)
        if definition is None:
            definition = parse_definition(self.definition, source=f"{self.key} v{self.version}")
            _PARSED[self.checksum] = definition
        return definition


class Anchor(models.TextChoices):
    ADMISSION = "admission", "Admission to the program"
    DISCHARGE = "discharge", "Leaving the program (or its planned end)"
    AFTER_DISCHARGE = "after_discharge", "Discharge from care, when this program was the last"


def days_text(n: int) -> str:
    """ "1 day", "3 days"."""
    return "1 day" if n == 1 else f"{n} days"


def every_days(n: int) -> str:
    """ "every day", "every 14 days"."""
    return "every day" if n == 1 else f"every {n} days"


class Schedule(models.Model):
    """When a program asks its patients to complete a questionnaire.

    At admission: anchor admission, offset 0. Every N days: anchor admission, offset N,
    repeat every N (while the stay lasts). At discharge: anchor discharge, offset 0
    (a negative offset asks that many days before the planned end). Relative to an
    event, e.g. 30 days after discharge: anchor after_discharge, offset 30.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="questionnaire_schedules"
    )
    questionnaire_key = models.SlugField("questionnaire", max_length=60)
    anchor = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.ADMISSION)
    offset_days = models.IntegerField(
        default=0,
        validators=[MinValueValidator(-60), MaxValueValidator(730)],
        help_text="Days after the anchor (negative: before it).",
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Repeat this often while the patient is in the program (admission anchor only).",
    )
    grace_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days after the due date before it shows as overdue."
    )
    window_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1)],
        help_text="Days after the due date it can still be completed; then it counts as missed.",
    )
    scoring_form = models.CharField(
        max_length=30, blank=True, help_text="Scoring form, e.g. likert or day_count for the BAM."
    )
    active_from = models.DateField(
        default=timezone.localdate, help_text="Occurrences due before this day are not counted."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "questionnaire_key", "anchor", "offset_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "program", "questionnaire_key", "anchor", "offset_days"],
                name="schedule_unique_timing",
            ),
            models.CheckConstraint(
                condition=models.Q(repeat_every_days__isnull=True) | models.Q(anchor="admission"),
                name="schedule_repeat_only_from_admission",
                violation_error_message="Only schedules from admission can repeat.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_key} — {self.describe()} ({self.program})"

    def describe(self) -> str:
        """In words: "every 14 days", "at admission", "30 days after discharge"."""
        if self.repeat_every_days:
            return every_days(self.repeat_every_days)
        days = abs(self.offset_days)
        when = days_text(days)
        if self.anchor == Anchor.ADMISSION:
            return "at admission" if days == 0 else f"{when} after admission"
        if self.anchor == Anchor.DISCHARGE:
            if days == 0:
                return "at discharge"
            return f"{when} {'before' if self.offset_days < 0 else 'after'} leaving the program"
        return f"{when} after discharge from care"

    def clean(self) -> None:
        from waymark.questionnaires.services import check_schedule

        check_schedule(self)


class AssignmentReason(models.TextChoices):
    CLINICIAN = "clinician", "Asked by the care team"
    OFFER = "offer", "Offered after another questionnaire"


class Assignment(models.Model):
    """A one-off request to complete a questionnaire (by a clinician, or a follow-up offer)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="questionnaire_assignments"
    )
    questionnaire_key = models.SlugField(max_length=60)
    reason = models.CharField(max_length=20, choices=AssignmentReason.choices)
    note = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "patient", "closes_on"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_key} for {self.patient} (due {self.due_on})"


class Draft(models.Model):
    """Answers saved page by page, so a reload or a lost signal loses nothing."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="questionnaire_drafts"
    )
    questionnaire_key = models.SlugField(max_length=60)
    answers = models.JSONField(default=dict)
    context = models.JSONField(default=dict)
    corrects = models.ForeignKey(
        "QuestionnaireResponse", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "questionnaire_key"], name="draft_one_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Draft {self.questionnaire_key} for {self.patient}"


class ResponseQuerySet(models.QuerySet["QuestionnaireResponse"]):
    def standing(self) -> ResponseQuerySet:
        """Responses no later response corrects: the ones that count."""
        return self.filter(corrections__isnull=True)


class QuestionnaireResponse(models.Model):
    """One completed questionnaire, its answers and scores. Never changed once stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    questionnaire_key = models.SlugField(max_length=60)
    answers = models.JSONField(help_text="Ordinal value (or number) per question linkId.")
    context = models.JSONField(default=dict, blank=True, help_text="E.g. sex, for AUDIT-C.")
    scoring_form = models.CharField(max_length=30)
    scores = models.JSONField()
    primary_score = models.DecimalField(max_digits=8, decimal_places=2)
    primary_band = models.CharField(max_length=40, blank=True)
    has_safety_answer = models.BooleanField(default=False)
    safety_occurrence = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="The alert occurrence its safety answer belongs to: the draft's, when the "
        "same answer was already acted on while filling in (see safety.draft_occurrence).",
    )
    submitted_at = models.DateTimeField()
    submitted_on = models.DateField(help_text="The patient's local date.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier response this one corrects.",
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["organization", "patient", "questionnaire_key", "submitted_at"]),
            models.Index(fields=["organization", "questionnaire_key", "submitted_on"]),
            # The outcomes' nearest response to a week: a range of one patient's days. Its
            # last three columns let the outcomes' list of answers not looked at
            # (outcomes/missed.py) read a year of responses from the index alone, without a
            # table row each (0.3 s of ~1 s at 10,000 patients on SQLite, whose indexes
            # cannot INCLUDE columns); one index entry per submitted questionnaire.
            models.Index(
                fields=[
                    "organization",
                    "patient",
                    "questionnaire_key",
                    "submitted_on",
                    "submitted_at",
                    "submitted_by",
                    "id",
                ],
                name="response_patient_day_cover",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "corrects"],
                condition=models.Q(corrects__isnull=False),
                name="response_corrected_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_key} {self.primary_score} on {self.submitted_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("A submitted questionnaire response cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("A submitted questionnaire response cannot be deleted.")

    @property
    def definition(self) -> Definition:
        return self.questionnaire.parsed

    def local_submitted_at(self) -> dt.datetime:
        return self.submitted_at.astimezone(zoneinfo.ZoneInfo(self.patient.timezone))
