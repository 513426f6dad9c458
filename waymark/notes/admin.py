"""The organization admin says whose notes a supervising clinician must co-sign."""

from __future__ import annotations

from django.contrib import admin

from waymark.admin_site import OrganizationScopedAdmin
from waymark.notes.models import CosignRequirement


@admin.register(CosignRequirement)
class CosignRequirementAdmin(OrganizationScopedAdmin):
    """One row per clinician whose notes need co-signature; a row without a clinician
    asks it of every note. Read when a note is signed."""

    list_display = ["__str__", "created_at"]
    fields = ["clinician"]
