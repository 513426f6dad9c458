from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waymark.admin_site import OrganizationScopedAdmin
from waymark.risk.models import RiskSettings


@admin.register(RiskSettings)
class RiskSettingsAdmin(OrganizationScopedAdmin):
    """An organization's risk thresholds (one row; defaults are the product's rules)."""

    list_display = [
        "organization",
        "craving_high",
        "craving_moderate",
        "missed_days_moderate",
        "missed_days_high",
        "phq9_high",
        "tolerance_days",
        "transition_days",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.get_queryset(request).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
