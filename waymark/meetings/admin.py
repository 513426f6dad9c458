from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from waymark.admin_site import OrganizationScopedAdmin
from waymark.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(OrganizationScopedAdmin):
    """The organization's list of mutual-help meetings, as patients browse it."""

    list_display = ["name", "fellowship", "weekday", "starts_at", "place", "is_active"]
    list_filter = ["fellowship", "weekday", "is_active"]
    search_fields = ["name", "place"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a link typed without one is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)
