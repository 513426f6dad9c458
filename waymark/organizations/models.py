"""The tenant (Organization), its programs (levels of care), crisis lines and staff."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):  # tzdata: "America"
        raise ValidationError(
            "%(value)s is not a known time zone; use a name such as Europe/London.",
            params={"value": value},
        ) from None


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{1,24}$",
    "Enter a phone number using digits, spaces, brackets or dashes (for example 0300 123 6600).",
)


class Locale(models.TextChoices):
    EN_US = "en-US", "English (United States)"
    EN_GB = "en-GB", "English (United Kingdom)"


class CaseloadScope(models.TextChoices):
    ORGANIZATION = "organization", "Clinicians see every patient of the organization"
    CARE_TEAM = "care_team", "Clinicians see only patients whose care team they are on"


class Organization(models.Model):
    """The tenant. Every row of patient data belongs to exactly one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    locale = models.CharField(max_length=10, choices=Locale.choices, default=Locale.EN_US)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    emergency_number = models.CharField(max_length=20, default="911", validators=[phone_validator])
    caseload_scope = models.CharField(
        max_length=20, choices=CaseloadScope.choices, default=CaseloadScope.ORGANIZATION
    )
    urgent_ack_minutes = models.PositiveSmallIntegerField(
        "minutes before an unacknowledged urgent alert escalates",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="Urgent alerts nobody has acknowledged by then go to the on-call clinicians.",
    )
    care_team_contact = models.CharField(
        "how patients reach their care team",
        max_length=300,
        blank=True,
        help_text='Shown to patients with crisis help, e.g. "Call the clinic on 555-0100, '
        'Monday to Friday 9am to 5pm." Patients are told these messages are not watched '
        "around the clock.",
    )
    # Issue 12 point 2: staff sessions end after this long without a request.
    staff_idle_minutes = models.PositiveSmallIntegerField(
        "minutes before an idle staff session ends",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
        help_text="Clinicians and admins are signed out after this long without using "
        "Waymark (Waymark default: 30 minutes).",
    )
    # issue 12 point 9 (patient data rights): how long a closed account's record is kept.
    retention_years = models.PositiveSmallIntegerField(
        "years a closed account's record is kept",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Counted from the account's closure (or the last note written after it). "
        "Only then may an admin erase the record. Waymark default: 10 years; set what the "
        "record-keeping rules of your jurisdiction require.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CrisisLine(models.Model):
    """A help line shown to patients; defaults per locale come from organizations.defaults."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="crisis_lines"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    text_number = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="crisisline_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=~models.Q(phone="", text_number=""),
                name="crisisline_has_phone_or_text",
                violation_error_message="Give a phone number, a text number, or both.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LevelOfCare(models.TextChoices):
    DETOX = "detox", "Withdrawal management (detox)"
    RESIDENTIAL = "residential", "Residential"
    DAY = "day", "Partial hospitalization / day programme"
    INTENSIVE_OUTPATIENT = "iop", "Intensive outpatient"
    OUTPATIENT = "outpatient", "Outpatient"
    AFTERCARE = "aftercare", "Aftercare / step-down housing"
    CONTINUING = "continuing", "Continuing recovery"


class Program(models.Model):
    """A level of care the organization runs, under its own label.

    An ASAM level may be kept as a label only (`asam_label`); the ASAM Criteria's
    dimensions and placement rules are proprietary and are not implemented.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=20, choices=LevelOfCare.choices)
    asam_label = models.CharField("ASAM level (label only)", max_length=10, blank=True)
    planned_min_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    planned_max_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_unique_name"),
            models.CheckConstraint(
                condition=models.Q(planned_min_days__isnull=True)
                | models.Q(planned_max_days__isnull=True)
                | models.Q(planned_max_days__gte=models.F("planned_min_days")),
                name="program_planned_range_ordered",
                violation_error_message="The longest planned stay cannot be shorter than the shortest.",  # noqa: E501
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def planned_length(self) -> str:
        low, high = self.planned_min_days, self.planned_max_days
        if low and high:
            return f"{low}–{high} days" if low != high else f"{low} days"
        if low:
            return f"at least {low} days"
        if high:
            return f"up to {high} days"
        return ""


class Role(models.TextChoices):
    ADMIN = "admin", "Organization admin"
    CLINICIAN = "clinician", "Clinician"
    PATIENT = "patient", "Patient"
    SUPPORTER = "supporter", "Supporter"


class Membership(models.Model):
    """A person's role in one organization. A person has one membership per organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_on_call = models.BooleanField(
        default=False, help_text="Clinicians on call receive escalated urgent alerts."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"
