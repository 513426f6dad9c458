"""Alerts: flags raised for a patient's care team, each with the rule that raised it and why.

One unresolved alert per patient and rule: a repeat while it is unresolved updates it
(count, last seen, latest evidence) instead of adding noise to the inbox. Each distinct
occurrence (a check-in, a response, a run of missed days) is kept as an AlertOccurrence:
the alert's history, and what deduplication compares against. Once an alert is
resolved, an occurrence it has not seen opens a new alert.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse

from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class Severity(models.IntegerChoices):
    """Ordered so that a higher number sorts first in the caseload."""

    LOW = 10, "Low"
    MODERATE = 20, "Moderate"
    HIGH = 30, "High"
    URGENT = 40, "Urgent"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    rule_id = models.CharField(
        max_length=60, help_text="The rule that raised it, e.g. checkin.safety"
    )
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    reason = models.CharField(max_length=300, help_text="Why, in one sentence a clinician reads.")
    source = models.CharField(max_length=300, blank=True, help_text="Where the rule comes from.")
    evidence_type = models.CharField(max_length=60, blank=True)
    evidence_id = models.CharField(max_length=64, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True, max_length=4000)
    resolution_note = models.TextField(blank=True, max_length=4000)
    escalated_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the care team was last told: the escalation clock."
    )

    class Meta:
        ordering = ["-severity", "-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "rule_id"],
                condition=~models.Q(status="resolved"),
                name="alert_one_unresolved_per_patient_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-severity"]),
            models.Index(fields=["organization", "patient", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.reason}"

    @property
    def is_urgent(self) -> bool:
        return self.severity >= Severity.URGENT

    @property
    def title(self) -> str:
        """The rule's name in plain words (never its id)."""
        from waymark.risk.registry import title_for

        return title_for(self.rule_id)

    def evidence_url(self) -> str:
        """Where a clinician sees what raised it (the timeline when there is no page of its own)."""
        patient = str(self.patient_id)
        routes = {
            "questionnaire_response": (
                "questionnaires:patient_response",
                [patient, self.evidence_id],
            ),
            "medication": ("medications:list", [patient]),
        }
        name, args = routes.get(self.evidence_type, ("patients:timeline", [patient]))
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return reverse("patients:timeline", args=[patient])


class AlertStep(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    RESOLVED = "resolved", "Resolved"
    NOTE = "note", "Note added"


class AlertAction(models.Model):
    """Who did what to an alert, and what they wrote: the alert's own history."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=20, choices=AlertStep.choices)
    note = models.TextField(blank=True, max_length=4000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} by {self.actor}"


class AlertOccurrence(models.Model):
    """One occurrence an alert stands for: when, why, on what evidence, and whether it told."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="occurrence_rows")
    rule_id = models.CharField(max_length=60)
    key = models.CharField(max_length=120, help_text="Same key, same occurrence.")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    reason = models.CharField(max_length=300)
    evidence_type = models.CharField(max_length=60, blank=True)
    evidence_id = models.CharField(max_length=64, blank=True)
    notified = models.BooleanField(default=False, help_text="The care team was told of it.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "alert", "key"], name="alertoccurrence_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient", "rule_id", "key"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.key}"
