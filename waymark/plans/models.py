"""The relapse prevention plan and the safety plan (every save a new version of either) and
uses of the coping tools.

Every table carries `organization` and every unique constraint includes it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class VersionedPlan(models.Model):
    """One saved state of a patient's plan. Never changed: a save adds the next number."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    content = models.JSONField(help_text="Field name → list of lines (contacts: name/phone).")

    class Meta:
        abstract = True
        ordering = ["-number"]

    def lines(self, field: str) -> list[Any]:
        return list(self.content.get(field, []))


class PlanVersion(VersionedPlan):
    """One version of the relapse prevention plan."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="plan_versions")

    class Meta(VersionedPlan.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "number"], name="plan_version_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan version {self.number}"


class SafetyPlanVersion(VersionedPlan):
    """One version of the personal safety plan (sections: plans/safety.py)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="safety_plan_versions"
    )

    class Meta(VersionedPlan.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "patient", "number"],
                name="safety_plan_version_number_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety plan version {self.number}"


class CopingTool(models.TextChoices):
    URGE_SURFING = "urge_surfing", "Urge surfing"
    BREATHING = "breathing", "Guided breathing"
    MY_PLAN = "my_plan", "My strategies and reasons"
    CALL = "call", "Calling someone"


def _zero_to_ten() -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )


class CopingUse(models.Model):
    """One use of a coping tool, with the craving before and after if the patient said."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coping_uses")
    tool = models.CharField(max_length=20, choices=CopingTool.choices)
    used_at = models.DateTimeField()
    craving_before = _zero_to_ten()
    craving_after = _zero_to_ten()

    class Meta:
        ordering = ["-used_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(craving_before__isnull=True) | models.Q(craving_before__lte=10),
                name="coping_before_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(craving_after__isnull=True) | models.Q(craving_after__lte=10),
                name="coping_after_0_to_10",
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient", "used_at"])]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} at {self.used_at:%Y-%m-%d %H:%M}"
