"""The organization admin says whose notes a supervising clinician must co-sign."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waymark.admin_site import OrganizationScopedAdmin, admin_organization
from waymark.notes.models import CosignRequirement
from waymark.organizations.models import Role


@admin.register(CosignRequirement)
class CosignRequirementAdmin(OrganizationScopedAdmin):
    """One row per clinician whose notes need co-signature; a row without a clinician
    asks it of every note. Read when a note is signed."""

    list_display = ["__str__", "created_at"]
    fields = ["clinician"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "clinician" and field is not None:
            # This organization's clinicians only: the list never names a patient.
            organization = admin_organization(request)
            where = {"memberships__organization": organization} if organization else {}
            field.queryset = field.queryset.filter(
                memberships__role=Role.CLINICIAN, memberships__is_active=True, **where
            ).distinct()
        return field
