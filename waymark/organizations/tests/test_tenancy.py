"""Every table that holds patient data carries a non-null organization_id, and every unique
constraint on it includes organization_id (so data can be distributed by tenant).

This is the one tenancy test: it introspects the models of every Waymark app, including
the ones added later, so a new app needs no copy of it.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from waymark.patients.models import Patient

# Every Waymark app, including the ones added later (checkins, notes, medications, …).
PROJECT_APPS = {app.label for app in apps.get_app_configs() if app.name.startswith("waymark.")}


def patient_data_models() -> list[type[models.Model]]:
    """Patient, every model pointing at a patient, and every model pointing at one of those
    (a check-in's substance use, a notification's e-mail delivery), to any depth."""
    project = [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]
    found: list[type[models.Model]] = [Patient]
    grew = True
    while grew:
        grew = False
        for model in project:
            if model in found:
                continue
            if any(
                getattr(field, "related_model", None) in found
                for field in model._meta.concrete_fields
            ):
                found.append(model)
                grew = True
    return found


EXPECTED = {
    "patients": "Patient Episode ProgramStay CareTeamMember",
    "audit": "AuditEvent",
    "alerts": "Alert AlertAction AlertOccurrence",
    "risk": "PatientRisk",
    "checkins": "CheckIn SubstanceUse Milestone WithdrawalEntry StaffRequest SubmissionKey",
    "questionnaires": "QuestionnaireResponse Draft Assignment",
    "notifications": "Notification Delivery",
    "notes": "ClinicalNote NoteAddendum",
    "medications": "Medication",
    "plans": "PlanVersion SafetyPlanVersion CopingUse",
}


def test_it_finds_the_patient_data_models_of_every_app() -> None:
    found = {(model._meta.app_label, model.__name__) for model in patient_data_models()}
    expected = {(app, name) for app, names in EXPECTED.items() for name in names.split()}
    assert expected <= found


def test_it_puts_organization_on_every_patient_data_table() -> None:
    missing = []
    for model in patient_data_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "organization"), None)
        if field is None or field.null:
            missing.append(model.__name__)
    assert missing == []


def test_it_includes_organization_in_every_unique_constraint() -> None:
    offenders = []
    for model in patient_data_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and "organization" not in (
                constraint.fields or ()
            ):
                offenders.append(f"{model.__name__}.{constraint.name}")
        for fields in model._meta.unique_together:
            if "organization" not in fields:
                offenders.append(f"{model.__name__}.unique_together{fields}")
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                offenders.append(f"{model.__name__}.{field.name} (unique=True)")
    assert offenders == []
