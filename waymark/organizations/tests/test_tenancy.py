"""Every table that holds patient data carries organization_id, and every unique
constraint on it includes organization_id (so data can be distributed by tenant)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from waymark.patients.models import Patient

# Every Waymark app, including the ones added later (checkins, notes, medications, …).
PROJECT_APPS = {app.label for app in apps.get_app_configs() if app.name.startswith("waymark.")}


def patient_data_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        points_at_patient = any(
            getattr(field, "related_model", None) is Patient
            for field in model._meta.get_fields()
            if field.concrete
        )
        if model is Patient or points_at_patient:
            found.append(model)
    return found


def test_it_finds_the_patient_data_models() -> None:
    names = {model.__name__ for model in patient_data_models()}
    assert {"Patient", "Episode", "ProgramStay", "CareTeamMember", "AuditEvent"} <= names


def test_it_puts_organization_on_every_patient_data_table() -> None:
    missing = [
        model.__name__
        for model in patient_data_models()
        if not any(f.name == "organization" and f.concrete for f in model._meta.get_fields())
    ]
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
