from __future__ import annotations

from django.contrib import admin

from waymark.admin_site import OrganizationScopedAdmin
from waymark.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(OrganizationScopedAdmin):
    """The organization's list of mutual-help meetings, as patients browse it."""

    list_display = ["name", "fellowship", "weekday", "starts_at", "place", "is_active"]
    list_filter = ["fellowship", "weekday", "is_active"]
    search_fields = ["name", "place"]
