"""A patient's medications, as the care team records them.

The safety flags (rules.py) read the medication classes below together with the
patient's substances of concern, so the class matters more than the name: a name
from the vocabulary (vocabulary.py) brings its class with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from waymark.organizations.models import Organization
from waymark.patients.models import Patient

NAME_MAX_LENGTH = 120
DOSE_MAX_LENGTH = 120
DETAIL_MAX_LENGTH = 200


class DrugClass(models.TextChoices):
    OPIOID_AGONIST = "opioid_agonist", "Opioid agonist (e.g. methadone)"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine"
    NALTREXONE = "naltrexone", "Naltrexone"
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    GHB = "ghb", "GHB / sodium oxybate"
    GABAPENTINOID = "gabapentinoid", "Gabapentinoid (gabapentin, pregabalin)"
    STIMULANT = "stimulant", "Stimulant"
    ALCOHOL_RELATED = "alcohol_related", "Alcohol-related (e.g. disulfiram, acamprosate)"
    ANTIDEPRESSANT = "antidepressant", "Antidepressant"
    OTHER = "other", "Other"


class PrescribedFor(models.TextChoices):
    KETAMINE_USE_DISORDER = "ketamine_use_disorder", "Ketamine use disorder"
    WITHDRAWAL = "withdrawal", "Withdrawal symptoms"
    OPIOID_USE_DISORDER = "opioid_use_disorder", "Opioid use disorder"
    ALCOHOL_USE_DISORDER = "alcohol_use_disorder", "Alcohol use disorder"
    MOOD_ANXIETY = "mood_anxiety", "Depression or anxiety"
    SLEEP = "sleep", "Sleep"
    PAIN = "pain", "Pain"
    OTHER = "other", "Something else (describe)"


class Medication(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    drug_class = models.CharField("class", max_length=20, choices=DrugClass.choices)
    dose = models.CharField(max_length=DOSE_MAX_LENGTH, blank=True)
    started_on = models.DateField("start date", null=True, blank=True)
    stopped_on = models.DateField("stop date", null=True, blank=True)
    prescribed_for = models.CharField(max_length=30, choices=PrescribedFor.choices, blank=True)
    prescribed_for_detail = models.CharField(
        "prescribed for (details)", max_length=DETAIL_MAX_LENGTH, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "patient", "stopped_on"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="medication_has_name"),
            models.CheckConstraint(
                condition=models.Q(drug_class__in=DrugClass.values),
                name="medication_known_class",
            ),
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on")),
                name="medication_stop_after_start",
                violation_error_message="The stop date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}".strip()

    def clean(self) -> None:
        # As a field error, so the form shows it beside the stop date.
        if self.started_on and self.stopped_on and self.stopped_on < self.started_on:
            raise ValidationError({"stopped_on": "The stop date cannot be before the start date."})

    def is_current(self, today: dt.date) -> bool:
        """Taken today, or planned: not stopped on or before today."""
        return self.stopped_on is None or self.stopped_on > today

    def days_since_stopped(self, today: dt.date) -> int | None:
        if self.is_current(today) or self.stopped_on is None:
            return None
        return (today - self.stopped_on).days

    def prescribed_for_text(self) -> str:
        label = self.get_prescribed_for_display() if self.prescribed_for else ""
        return ": ".join(part for part in (label, self.prescribed_for_detail) if part)
