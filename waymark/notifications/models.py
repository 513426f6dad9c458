"""Notifications (the in-app centre), their e-mail deliveries, and people's channel choices.

Every e-mail is a Delivery row with a dedupe key: a retried task, or a job that runs
twice, never sends the same message twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from waymark.organizations.models import Organization


class Kind(models.TextChoices):
    CHECKIN_REMINDER = "checkin_reminder", "Daily check-in reminder"
    QUESTIONNAIRE_DUE = "questionnaire_due", "Questionnaire due"
    ALERT = "alert", "New alert for a patient"
    ESCALATION = "escalation", "Urgent alert not yet acknowledged"
    SUPPORTER = "supporter", "Update for a supporter"
    SYSTEM = "system", "Message from Waymark"
    PASSWORD_RESET = "password_reset", "Password reset requested"  # issue 12 point 2
    SUPPORTER_INVITATION = "supporter_invitation", "Invitation to support someone"  # issue 14
    REACH_OUT = "reach_out", "Someone you support asked to hear from you"  # issue 14
    ACCOUNT_INVITATION = "account_invitation", "Invitation to set up an account"  # issue 16
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"  # issue 17
    CARE_MESSAGE = "care_message", "New message with the care team"  # issue 17


class NotificationPreference(models.Model):
    """How and when a person wants to hear from Waymark."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    reminders_enabled = models.BooleanField("remind me to check in", default=True)
    reminder_time = models.TimeField("at", default=dt.time(20, 0))
    email_enabled = models.BooleanField("also send e-mails", default=True)
    quiet_start = models.TimeField("quiet from", null=True, blank=True)
    quiet_end = models.TimeField("quiet until", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="preference_unique_user"),
            models.CheckConstraint(
                condition=(models.Q(quiet_start__isnull=True) & models.Q(quiet_end__isnull=True))
                | (
                    models.Q(quiet_start__isnull=False)
                    & models.Q(quiet_end__isnull=False)
                    & ~models.Q(quiet_start=models.F("quiet_end"))
                ),
                name="preference_quiet_hours_valid",
                violation_error_message="Quiet hours need a start and an end that differ.",
            ),
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError("Give quiet hours both a start and an end, or neither.")
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValidationError(
                {
                    "quiet_end": "Quiet hours that start and end at the same time would make "
                    "every hour quiet. Choose a different end, or leave both empty."
                }
            )
        if self.reminders_enabled and self.is_quiet_at(self.reminder_time):
            raise ValidationError(
                {"reminder_time": "This reminder time falls inside your quiet hours."}
            )

    def is_quiet_at(self, local_time: dt.time) -> bool:
        """Quiet hours may wrap midnight (22:00–07:00)."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end


class Notification(models.Model):
    """One message in a person's notification centre."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=140)
    body = models.TextField(max_length=2000, blank=True)
    url = models.CharField(max_length=300, blank=True)
    is_urgent = models.BooleanField(default=False)
    severity = models.PositiveSmallIntegerField(
        default=0, help_text="An alert's severity (alerts.Severity); 0 for everything else."
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dedupe_key"], name="notification_unique_dedupe_key"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # Issue 16: the notification centre, grouped by severity, newest first in each.
            models.Index(
                fields=["recipient", "-severity", "-created_at", "-id"],
                name="notification_by_severity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def severity_label(self) -> str:
        """The group it is listed in: "Urgent", "High", "Moderate", "Low" or "Other"."""
        from waymark.alerts.models import Severity

        return Severity(self.severity).label if self.severity in Severity.values else "Other"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """An e-mail for a notification: sent at most once, retried with back-off on failure."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, default="email")
    to_address = models.EmailField()
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    dedupe_key = models.CharField(max_length=220)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(help_text="Held until then (quiet hours, back-off).")
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: another run waits until then."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dedupe_key"], name="delivery_unique_dedupe_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to_address} ({self.status})"


class WorkerHeartbeat(models.Model):
    """Each running worker says it is alive; tasks held by a silent worker are run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"


class ScheduledRun(models.Model):
    """One row per periodic job per minute: several schedulers never double-enqueue."""

    job = models.CharField(max_length=60)
    minute = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "minute"], name="scheduledrun_unique_minute")
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.minute:%Y-%m-%d %H:%M}"
