from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.accounts.models import User
from waymark.admin_site import AuditedReads
from waymark.audit.models import AuditObject
from waymark.patients.models import Patient

# Roles live on Membership; Django's groups are not used.
admin.site.unregister(Group)
# Issue 12: authenticators are enrolled and reset on Waymark's own pages (audited);
# django-otp's admin pages would show every device's secret key.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class WaymarkUserAdmin(AuditedReads, UserAdmin):
    """Operators only: organization admins manage people through Memberships and Patients.
    A patient's account is their data: an operator's look at it is audited too."""

    audit_object, audit_list = AuditObject.ADMIN_USER, AuditObject.ADMIN_USER_LIST

    def patients_shown(self, objects: Sequence[User]) -> Iterable[Patient]:
        return Patient.objects.filter(user__in=[user.pk for user in objects])

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)
