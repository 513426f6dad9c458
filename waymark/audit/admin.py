from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waymark.admin_site import OrganizationScopedAdmin
from waymark.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    """Read-only: the trail cannot be changed, here or in the database."""

    list_display = [
        "at",
        "actor",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "patient",
        "ip",
    ]
    list_filter = ["action", "actor_role", "object_type"]
    list_select_related = ["actor", "patient"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
