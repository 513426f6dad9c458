"""Appointments (individual, family, group sessions), groups, attendance and group notes.

Times are stored in UTC and entered and shown in the organization's time zone (a patient
sees theirs). A change of time or a cancellation is an `AppointmentChange` row with its
reason: the history is kept. A group note, once filed, is signed and immutable in the
database itself (migration 0002), like a signed clinical note: one row for the session
and one line for each attendee, shown on that attendee's record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient

PLACE_MAX_LENGTH = 200
WITH_MAX_LENGTH = 200
REASON_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 5000
LINE_MAX_LENGTH = 500


class AppointmentKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual session"
    FAMILY = "family", "Family session"
    GROUP = "group", "Group session"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Outcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    LATE_CANCEL = "late_cancel", "Cancelled late"
    NO_SHOW = "no_show", "Did not attend"


class Group(models.Model):
    """A group that meets, e.g. "IOP Monday/Wednesday/Friday", with its facilitator."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "group", "patient"], name="groupmember_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.group}"


class Appointment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="appointments"
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField("length (minutes)")
    place = models.CharField(max_length=PLACE_MAX_LENGTH, blank=True)
    video_url = models.URLField("video link", blank=True)
    with_others = models.CharField("also joining", max_length=WITH_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "clinician", "starts_at"]),
            models.Index(fields=["organization", "patient", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=AppointmentKind.GROUP, group__isnull=False, patient__isnull=True)
                    | (
                        ~models.Q(kind=AppointmentKind.GROUP)
                        & models.Q(group__isnull=True, patient__isnull=False)
                    )
                ),
                name="appointment_patient_or_group",
            ),
            models.CheckConstraint(
                condition=~models.Q(place="", video_url=""), name="appointment_has_place"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=480), name="appointment_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED

    def has_started(self, now: dt.datetime) -> bool:
        return self.starts_at <= now


class ChangeKind(models.TextChoices):
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"


class AppointmentChange(models.Model):
    """One reschedule or cancellation, with its reason (the history of an appointment)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    reason = models.CharField(max_length=REASON_MAX_LENGTH)
    old_starts_at = models.DateTimeField()
    new_starts_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class LeadTime(models.IntegerChoices):
    NONE = 0, "No reminder"
    ONE_HOUR = 60, "1 hour before"
    ONE_DAY = 1440, "The day before (24 hours)"


class AppointmentPreference(models.Model):
    """How long before an appointment a patient wants a reminder (24 hours unless chosen)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    lead_minutes = models.PositiveIntegerField(
        "remind me", choices=LeadTime.choices, default=LeadTime.ONE_DAY
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient"], name="appointmentpreference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Reminders {self.get_lead_minutes_display()}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    LATE = "late", "Late"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class Attendance(models.Model):
    """One member's attendance at one group session."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="attendance"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "appointment", "patient"], name="attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_status_display()

    @property
    def was_there(self) -> bool:
        return self.status in (AttendanceStatus.ATTENDED, AttendanceStatus.LATE)


class GroupNote(models.Model):
    """The facilitator's one note of a group session, signed when filed (immutable)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="group_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "appointment"], name="groupnote_one_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"Group note of {self.appointment}"


class GroupNoteLine(models.Model):
    """The group note as filed in one attendee's record, with their own short line."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(GroupNote, on_delete=models.PROTECT, related_name="lines")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    line = models.CharField(max_length=LINE_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "note", "patient"], name="groupnoteline_unique"
            )
        ]

    def __str__(self) -> str:
        return self.line or "(no line)"
