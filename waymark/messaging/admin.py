from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waymark.admin_site import OrganizationScopedAdmin
from waymark.messaging.models import MessagingSettings


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(OrganizationScopedAdmin):
    """When the care team reads messages (one row; without it, the default hours)."""

    list_display = ["organization", "reading_hours", "reply_time"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.get_queryset(request).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
