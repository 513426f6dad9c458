"""Patients, their episodes of care, program stays and care teams.

Every table here carries `organization` and every unique constraint includes it
(see patients/tests/test_tenancy.py), so the data can later be distributed by
organization_id.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from waymark.organizations.models import (
    Organization,
    Program,
    phone_validator,
    validate_timezone,
)


class Substance(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine"
    ALCOHOL = "alcohol", "Alcohol"
    TOBACCO = "tobacco", "Tobacco / nicotine"
    STIMULANTS = "stimulants", "Stimulants (e.g. cocaine, amphetamines)"
    OPIOIDS = "opioids", "Opioids"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    GHB = "ghb", "GHB / GBL"
    OTHER = "other", "Other"


class Goal(models.TextChoices):
    """What the patient is aiming for with one substance of concern."""

    ABSTINENCE = "abstinence", "Not using it at all"
    REDUCTION = "reduction", "Using less"


# Tobacco is a goal of its own: a patient chooses it (it is off unless they do).
DEFAULT_GOALS: dict[str, str] = {
    substance: Goal.ABSTINENCE for substance in Substance.values if substance != "tobacco"
}


class PatientQuerySet(models.QuerySet["Patient"]):
    def in_care(self) -> PatientQuerySet:
        """Patients with an open episode of care."""
        open_episode = Episode.objects.filter(
            patient=models.OuterRef("pk"), discharged_on__isnull=True
        )
        return self.filter(models.Exists(open_episode))


class Patient(models.Model):
    """A person in recovery, as known to one organization."""

    id = models.UUIDField("ID", primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="patients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_records"
    )
    preferred_name = models.CharField(max_length=80)
    # Issue 16, point 2: what identifies the person on their record and its printouts.
    legal_name = models.CharField(
        "legal name", max_length=160, blank=True, help_text="As on official documents."
    )
    record_number = models.CharField(
        "record number",
        max_length=20,
        editable=False,
        blank=True,  # given by save() (full_clean runs before it)
        default="",
        help_text="Given on enrolment, unique within the organization (e.g. NR-000123).",
    )
    date_of_birth = models.DateField("date of birth")
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    allergies = models.TextField(
        "allergies and adverse reactions",
        max_length=1000,
        blank=True,
        help_text="Leave empty if none are known.",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    substances = models.JSONField(
        default=list, help_text="Substances of concern, as Substance values."
    )
    substance_goals = models.JSONField(
        default=dict,
        blank=True,
        help_text="Goal per substance of concern ({substance: Goal}); a use against it is a lapse.",
    )
    recovery_start_date = models.DateField(
        null=True, blank=True, help_text="The day the patient counts their recovery from."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["preferred_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="patient_unique_user"),
            models.UniqueConstraint(
                fields=["organization", "record_number"], name="patient_unique_record_number"
            ),
        ]
        indexes = [
            # Issue 16: the caseload sorted by name, a page at a time (patients.keyset).
            models.Index(fields=["organization", "preferred_name", "id"], name="patient_by_name"),
        ]

    def __str__(self) -> str:
        return self.preferred_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new patient gets the organization's next record number."""
        if not self.record_number:
            self.record_number = next_record_number(self.organization)
        super().save(*args, **kwargs)

    def age(self, today: dt.date | None = None) -> int:
        today = today or self.local_today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def local_today(self) -> dt.date:
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.timezone)).date()

    def days_in_recovery(self, today: dt.date | None = None) -> int | None:
        if self.recovery_start_date is None:
            return None
        return max(0, ((today or self.local_today()) - self.recovery_start_date).days)

    def substance_labels(self) -> list[str]:
        return [Substance(value).label for value in self.substances if value in Substance.values]


def record_prefix(organization: Organization) -> str:
    """Two capitals from the organization's name: "Northstar Recovery" → "NR"."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in organization.name).split()]
    letters = "".join(w[0] for w in words[:2]) if len(words) > 1 else (words or ["WM"])[0][:2]
    return letters.upper().ljust(2, "X")


class RecordNumberSequence(models.Model):
    """The last record number given in one organization (one row each, locked to count)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization}: {self.last_value}"


def next_record_number(organization: Organization) -> str:
    """The next number of the organization's sequence, e.g. "NR-000124". The row lock (on
    PostgreSQL) and the unique constraint keep two enrolments from sharing one."""
    with transaction.atomic():
        RecordNumberSequence.objects.get_or_create(organization=organization)
        sequence = RecordNumberSequence.objects.select_for_update().get(organization=organization)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
    return f"{record_prefix(organization)}-{sequence.last_value:06d}"


class DischargeDestination(models.TextChoices):
    HOME = "home", "Home"
    STEP_DOWN = "step_down", "Step-down / recovery housing"
    OTHER_PROVIDER = "other_provider", "Another treatment provider"
    HOSPITAL = "hospital", "Hospital"
    LEFT_EARLY = "left_early", "Left before the planned discharge"
    OTHER = "other", "Other"


class Episode(models.Model):
    """One episode of care: from admission to discharge, across programs."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    admitted_on = models.DateField()
    planned_discharge_on = models.DateField(null=True, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_destination = models.CharField(
        max_length=20, choices=DischargeDestination.choices, blank=True
    )
    aftercare_plan = models.TextField(
        blank=True, max_length=4000, help_text="What happens after discharge: who, where, when."
    )
    no_aftercare_reason = models.CharField(
        max_length=300, blank=True, help_text="Why there is no aftercare plan, when there is none."
    )
    follow_up_on = models.DateField(
        null=True, blank=True, help_text="The day someone should have been in touch by."
    )

    class Meta:
        ordering = ["-admitted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"],
                condition=models.Q(discharged_on__isnull=True),
                name="episode_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="episode_discharge_after_admission",
                violation_error_message="Discharge cannot be before admission.",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | ~models.Q(discharge_destination=""),
                name="episode_discharge_has_destination",
                violation_error_message="A discharge needs a destination.",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode from {self.admitted_on}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None


class ProgramStay(models.Model):
    """A stretch of an episode spent in one program (level of care)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="stays")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="stays")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="stays")
    started_on = models.DateField()
    planned_end_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "episode"],
                condition=models.Q(ended_on__isnull=True),
                name="stay_one_open_per_episode",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="stay_end_after_start",
                violation_error_message="A stay cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "program", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.program} from {self.started_on}"

    def days_in_program(self, today: dt.date) -> int:
        return ((self.ended_on or today) - self.started_on).days


class CareTeamMember(models.Model):
    """A clinician assigned to a patient."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team_roles"
    )
    is_primary = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "clinician"], name="careteam_unique_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} for {self.patient}"


class RecordReview(models.Model):
    """When a member of staff last opened a patient's record: the caseload's "last
    reviewed by me" marker and its "not reviewed in 7 days" filter (issue 16). One row
    per patient and person, moved forward each time they open the record."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "reviewer"], name="recordreview_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} reviewed by {self.reviewer_id} at {self.reviewed_at}"
