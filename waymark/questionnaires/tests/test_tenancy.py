"""Every questionnaire table holding patient data carries organization_id, and every unique
constraint on it includes organization (the same rule organizations/tests checks for the kernel)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from waymark.patients.models import Patient


def patient_data_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_app_config("questionnaires").get_models()
        if any(
            getattr(field, "related_model", None) is Patient
            for field in model._meta.get_fields()
            if field.concrete
        )
    ]


def test_it_finds_the_patient_data_tables() -> None:
    names = {model.__name__ for model in patient_data_models()}
    assert names == {"QuestionnaireResponse", "Draft", "Assignment"}


def test_it_puts_organization_on_every_patient_data_table() -> None:
    for model in patient_data_models():
        field = model._meta.get_field("organization")
        assert field.concrete and not field.null, model.__name__  # type: ignore[union-attr]


def test_it_includes_organization_in_every_unique_constraint() -> None:
    offenders = []
    for model in patient_data_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and "organization" not in (
                constraint.fields or ()
            ):
                offenders.append(f"{model.__name__}.{constraint.name}")
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                offenders.append(f"{model.__name__}.{field.name}")
    assert offenders == []
