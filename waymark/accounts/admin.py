from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.accounts.models import User

# Roles live on Membership; Django's groups are not used.
admin.site.unregister(Group)
# Issue 12: authenticators are enrolled and reset on Waymark's own pages (audited);
# django-otp's admin pages would show every device's secret key.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class WaymarkUserAdmin(UserAdmin):
    """Operators only: organization admins manage people through Memberships and Patients."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)
