"""Secure messages between a patient and their care team (issue 17).

A conversation (`Thread`) belongs to one patient; its `Message`s are written by the
patient or by a clinician. A message is "read" once the other side opens it: a patient's
message when a clinician first reads it, the care team's when the patient does. Messages
carry text only (no attachments), and are never deleted or edited here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient

SUBJECT_MAX_LENGTH = 120
BODY_MAX_LENGTH = 2000
DEFAULT_READING_HOURS = "Monday to Friday, 9 am to 5 pm, except public holidays"


class MessagingSettings(models.Model):
    """When an organization's care team reads messages (shown beside every composer)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="messaging_settings"
    )
    reading_hours = models.CharField(
        "when the care team reads messages",
        max_length=200,
        default=DEFAULT_READING_HOURS,
        help_text="Shown to patients beside every message they write, e.g. "
        "“Monday to Friday, 9 am to 5 pm”.",
    )
    reply_time = models.CharField(
        "how soon patients can expect a reply",
        max_length=200,
        default="usually within one working day",
        blank=True,
    )

    class Meta:
        verbose_name = "messaging settings"
        verbose_name_plural = "messaging settings"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reading_hours=""), name="messaging_settings_has_hours"
            )
        ]

    def __str__(self) -> str:
        return f"Messages read {self.reading_hours}"


class Thread(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="message_threads")
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "-last_message_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(subject=""), name="thread_has_subject")
        ]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["organization", "from_patient", "read_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="message_has_body")
        ]

    def __str__(self) -> str:
        return f"Message {self.pk}"
