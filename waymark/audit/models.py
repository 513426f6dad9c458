"""The audit trail: one append-only table.

Rows are written in the same transaction as the action they record. The
database itself refuses UPDATE and DELETE (triggers in migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from waymark.organizations.models import Organization


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Saw in a list"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"


class AuditEvent(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_role} {self.action} {self.object_type} {self.object_id}"

    def describe(self) -> str:
        """What happened, in words the patient reads on "who has looked at my record"."""
        where = _LIST_PLACES.get(self.object_type, "a list of patients")
        thing = self.object_type.replace("_", " ") or "record"
        if thing == "patient":
            thing = "record"
        return {
            AuditAction.LIST: f"Saw your name in {where}",
            AuditAction.VIEW: f"Opened your {thing}",
            AuditAction.CREATE: f"Created your {thing}",
            AuditAction.UPDATE: f"Changed your {thing}",
            AuditAction.DELETE: f"Removed your {thing}",
            AuditAction.EXPORT: f"Exported your {thing}",
        }.get(AuditAction(self.action), thing)


_LIST_PLACES = {
    "caseload": "their caseload",
    "patient_list": "a list of patients (through the API)",
    "patient": "the admin's list of patients",
    "episode": "the admin's list of episodes of care",
}
