from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waymark.admin_site import AuditedReads, OrganizationScopedAdmin
from waymark.audit.models import AuditEvent, AuditObject
from waymark.patients.models import Patient


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedReads, OrganizationScopedAdmin):
    """Read-only: the trail cannot be changed, here or in the database. Reading it is
    itself audited: it says who looked at which patient's record."""

    audit_object, audit_list = AuditObject.ADMIN_AUDIT_EVENT, AuditObject.ADMIN_AUDIT_LIST

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

    def patients_shown(self, objects: Sequence[AuditEvent]) -> Iterable[Patient]:
        return [event.patient for event in objects if event.patient is not None]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
