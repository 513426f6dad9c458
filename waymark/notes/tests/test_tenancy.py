"""Notes carry organization_id, and no unique constraint leaves it out.

(organizations/tests/test_tenancy.py checks the kernel apps; this is the same check
for this app's tables.)
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from waymark.patients.models import Patient


@pytest.mark.parametrize("app_label", ["notes", "medications"])
def test_it_puts_organization_on_every_patient_table_and_unique_constraint(
    app_label: str,
) -> None:
    tables = list(apps.get_app_config(app_label).get_models())
    assert tables
    for model in tables:
        fields = {f.name: f for f in model._meta.concrete_fields}
        assert any(getattr(f, "related_model", None) is Patient for f in fields.values())
        assert "organization" in fields, model.__name__
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                assert "organization" in (constraint.fields or ()), constraint.name
        assert not [f for f in fields.values() if f.unique and not f.primary_key]
