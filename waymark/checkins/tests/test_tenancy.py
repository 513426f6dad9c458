"""Every check-ins table carries organization, and every unique constraint includes it."""

from __future__ import annotations

from django.apps import apps
from django.db import models


def test_it_puts_organization_on_every_table_and_in_every_unique_constraint() -> None:
    config = apps.get_app_config("checkins")
    offenders = []
    for model in config.get_models():
        fields = {f.name for f in model._meta.concrete_fields}
        if "organization" not in fields:
            offenders.append(f"{model.__name__}: no organization")
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and "organization" not in (
                constraint.fields or ()
            ):
                offenders.append(f"{model.__name__}.{constraint.name}")
        offenders += [
            f"{model.__name__}.{f.name}" for f in model._meta.concrete_fields
            if f.unique and not f.primary_key
        ]  # fmt: skip
    assert len(list(config.get_models())) == 6
    assert offenders == []
