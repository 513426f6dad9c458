"""Clinical notes (DAP or SOAP) and their addenda.

A note is a draft until its author signs it; a signed note is never changed again.
Three layers keep it so: the services refuse, `ClinicalNote.save()` refuses, and
database triggers (migration 0002) refuse UPDATE and DELETE of a signed note and of
any addendum, on SQLite and PostgreSQL alike. A correction is an addendum: a new row
pointing at the note, signed by its author when it is written.

Notes are for the care team only: never shown to the patient or to supporters
(DESIGN.md: "Clinical notes ... are never in a supporter scope").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from waymark.alerts.models import Alert
from waymark.errors import ServiceError
from waymark.organizations.models import Organization
from waymark.patients.models import Patient

# About four printed pages per section: room for any real note, not for a pasted file.
SECTION_MAX_LENGTH = 10_000
# A session lasts at least a minute and at most ten hours (a long crisis contact).
DURATION_MIN, DURATION_MAX = 1, 600


class ServiceType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual session"
    GROUP = "group", "Group session"
    FAMILY = "family", "Family session"
    CASE_MANAGEMENT = "case_management", "Case management"
    CRISIS = "crisis", "Crisis contact"


class NoteFormat(models.TextChoices):
    DAP = "dap", "DAP (Data, Assessment, Plan)"
    SOAP = "soap", "SOAP (Subjective, Objective, Assessment, Plan)"


@dataclass(frozen=True)
class Section:
    field: str
    label: str
    help: str


SUBJECTIVE = Section(
    "subjective",
    "Subjective",
    "What the patient reports, in their words: use, cravings, mood, sleep, symptoms.",
)
OBJECTIVE = Section(
    "objective",
    "Objective",
    "What you observed or measured: presentation, vital signs, test results, scores.",
)
DATA = Section(
    "data",
    "Data",
    "What happened in the session: what the patient said and did, what you observed, "
    "relevant scores.",
)
ASSESSMENT = Section(
    "assessment",
    "Assessment",
    "Your clinical interpretation: progress, risk, response to treatment.",
)
PLAN = Section("plan", "Plan", "Next steps: interventions, referrals, tasks, the next contact.")

SECTIONS: dict[str, tuple[Section, ...]] = {
    NoteFormat.DAP: (DATA, ASSESSMENT, PLAN),
    NoteFormat.SOAP: (SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN),
}
SECTION_FIELDS = ("subjective", "objective", "data", "assessment", "plan")


def _section_field() -> models.TextField[str, str]:
    return models.TextField(blank=True, validators=[MaxLengthValidator(SECTION_MAX_LENGTH)])


class ClinicalNote(models.Model):
    """One note about a patient, in DAP or SOAP form. Immutable once signed."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # PROTECT: signed notes are part of the medical record and outlive any tidy-up.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clinical_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=4, choices=NoteFormat.choices)
    subjective = _section_field()
    objective = _section_field()
    data = _section_field()
    assessment = _section_field()
    plan = _section_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    # The session the note is about (notes written before these fields existed have none).
    session_at = models.DateTimeField("session date and time", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(DURATION_MIN), MaxValueValidator(DURATION_MAX)],
    )
    service_type = models.CharField(max_length=20, choices=ServiceType.choices, blank=True)
    # The open alert this note answers: signing the note acknowledges it (alerts.services).
    # PROTECT: a signed note's link never dangles (erasure deletes notes before alerts).
    answers_alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Decided when the note is signed, from the organization's CosignRequirement rows.
    needs_cosign = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=DURATION_MIN, duration_minutes__lte=DURATION_MAX),
                name="note_duration_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(service_type="") | models.Q(service_type__in=ServiceType.values),
                name="note_known_service_type",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=NoteFormat.values),
                name="note_known_format",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(format=NoteFormat.DAP, subjective="", objective="")
                    | models.Q(format=NoteFormat.SOAP, data="")
                ),
                name="note_sections_match_format",
                violation_error_message="A note only has the sections of its format.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} note of {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self._signed_in_database():
            raise ServiceError(
                "A signed note cannot be changed. Add an addendum to correct it.",
                status=409,
                code="signed",
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._signed_in_database():
            raise ServiceError("A signed note cannot be deleted.", status=409, code="signed")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def format_short(self) -> str:
        return str(self.format).upper()

    def sections(self) -> list[tuple[Section, str]]:
        """The note's sections in order, with their text."""
        return [(section, getattr(self, section.field)) for section in SECTIONS[self.format]]

    def summary(self, length: int = 140) -> str:
        """The start of the assessment (or the first section written), for lists."""
        texts = [self.assessment, *(text for _, text in self.sections())]
        text = " ".join(next((t for t in texts if t.strip()), "").split())
        return text if len(text) <= length else text[: length - 1].rstrip() + "…"

    def _signed_in_database(self) -> bool:
        # Asks the database, not this instance: a stale copy loaded before another
        # request signed the note must not overwrite it.
        return (
            self.pk is not None
            and type(self)._default_manager.filter(pk=self.pk, signed_at__isnull=False).exists()
        )


class NoteAddendum(models.Model):
    """A correction or addition to a signed note, signed by its author when written."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(validators=[MaxLengthValidator(SECTION_MAX_LENGTH)])
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["organization", "patient", "-signed_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="addendum_has_text"),
        ]

    def __str__(self) -> str:
        return f"Addendum of {self.signed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ServiceError("An addendum cannot be changed.", status=409, code="signed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ServiceError("An addendum cannot be deleted.", status=409, code="signed")


class NoteCosignature(models.Model):
    """A supervising clinician's co-signature of a signed note: its own row, written once
    (one per note), never changed or deleted (database triggers, migration 0005), so the
    signed note itself stays untouched."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(ClinicalNote, on_delete=models.CASCADE, related_name="cosignatures")
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        # One per note; the organization leads the key like every unique constraint.
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "note"], name="cosignature_once_per_note"
            )
        ]

    def __str__(self) -> str:
        return f"Co-signed by {self.cosigner} on {self.signed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ServiceError("A co-signature cannot be changed.", status=409, code="signed")
        super().save(*args, **kwargs)


class CosignRequirement(models.Model):
    """Whose notes a supervising clinician must co-sign, set by the organization's admin.

    A row without a clinician: every note of the organization needs co-signature. A row
    naming a clinician (a trainee, a newly qualified counsellor): that clinician's notes
    do. No row: no note needs it. Read when a note is signed.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="cosign_requirements"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty to require co-signature of every note.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "clinician"], name="cosign_requirement_once"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(clinician__isnull=True),
                name="cosign_requirement_everyone_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Co-signature needed for {self.clinician or 'every note'}"
