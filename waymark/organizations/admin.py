from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from waymark.accounts.forms import NewUsernameField
from waymark.accounts.services import create_invited_user, send_invitation
from waymark.admin_site import (
    AuditedReads,
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    admin_organization,
)
from waymark.audit.models import AuditObject
from waymark.organizations.models import CrisisLine, Membership, Organization, Program, Role
from waymark.patients.models import Patient


class CrisisLineInline(OrganizationScopedInline):
    model = CrisisLine
    fields = ["position", "name", "phone", "text_number", "description"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    list_display = ["name", "locale", "timezone", "caseload_scope"]
    inlines = [CrisisLineInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        organization = admin_organization(request)
        queryset = Organization.objects.all()
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=organization.pk) if organization else queryset.none()

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if request.user.is_superuser else ["slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.save()


@admin.register(Program)
class ProgramAdmin(OrganizationScopedAdmin):
    list_display = ["name", "level", "asam_label", "planned_length", "is_active"]
    list_filter = ["level", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Programs are kept for history; retire them with "is active".
        return False


class StaffInvitationForm(forms.ModelForm):
    """Adding a member creates their account and e-mails them a set-password link."""

    username = NewUsernameField()
    email = forms.EmailField(label="E-mail")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)

    class Meta:
        model = Membership
        fields = ["role", "is_on_call", "is_active"]

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role == Role.PATIENT:
            raise forms.ValidationError("Add patients under Patients, where their record is made.")
        return str(role)


@admin.register(Membership)
class MembershipAdmin(AuditedReads, OrganizationScopedAdmin):
    audit_object, audit_list = AuditObject.ADMIN_MEMBERSHIP, AuditObject.ADMIN_MEMBERSHIP_LIST
    list_display = ["user", "role", "is_on_call", "is_active"]
    list_filter = ["role", "is_active", "is_on_call"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    fields = ["user", "authenticator", "role", "is_on_call", "is_active"]
    readonly_fields = ["user", "authenticator"]

    def patients_shown(self, objects: Sequence[Membership]) -> Iterable[Patient]:
        """A patient's membership names them (their account, their organization): the
        members who have a patient record in that organization."""
        pairs = {(m.user_id, m.organization_id) for m in objects}
        candidates = Patient.objects.filter(user_id__in={user for user, _ in pairs})
        return [p for p in candidates if (p.user_id, p.organization_id) in pairs]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = StaffInvitationForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                "username",
                "email",
                "first_name",
                "last_name",
                "role",
                "is_on_call",
                "is_active",
            ]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "authenticator"] if obj is not None else []

    @admin.display(description="Sign-in code")
    def authenticator(self, obj: Membership) -> str:
        """Issue 12: where an admin resets a member of staff's lost authenticator."""
        url = reverse("accounts:reset_second_factor", args=[obj.user_id])
        return format_html('<a href="{}">Reset a lost authenticator (staff)</a>', url)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        organization = admin_organization(request) or obj.organization
        if not change:
            data = form.cleaned_data
            obj.user = create_invited_user(
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            obj.organization = organization
            obj.save()
            send_invitation(obj.user)  # through the delivery queue, in this transaction
            return
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: the audit trail keeps pointing at the person.
        return False
