"""Patients in the admin: enrolment with an invitation, care team, episodes of care.

Every view or change of a patient's data here is audited like anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from waymark.access import actor_for
from waymark.accounts.models import User
from waymark.accounts.services import create_invited_user, send_invitation
from waymark.admin_site import (
    AuditedReads,
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    admin_organization,
)
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.organizations.models import Role
from waymark.patients.models import (
    CareTeamMember,
    Episode,
    Goal,
    Patient,
    ProgramStay,
    Substance,
)
from waymark.patients.services import clean_goals, clean_substances, enroll_patient


class CareTeamInline(OrganizationScopedInline):
    """Only the organization's active clinicians can be chosen: the care team receives the
    patient's clinical alerts (the database refuses anyone else too)."""

    model = CareTeamMember
    fields = ["clinician", "is_primary"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        organization = admin_organization(request)
        if db_field.name == "clinician" and field is not None:
            field.queryset = field.queryset.filter(
                memberships__organization=organization,
                memberships__role=Role.CLINICIAN,
                memberships__is_active=True,
                is_active=True,
            ).distinct()
        return field


class EpisodeInline(OrganizationScopedInline):
    model = Episode
    fields = ["admitted_on", "planned_discharge_on", "discharged_on", "discharge_destination"]
    show_change_link = True


class ProgramStayInline(OrganizationScopedInline):
    model = ProgramStay
    fields = ["program", "started_on", "planned_end_on", "ended_on"]
    exclude = ["patient"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "patient"]


def _goal_field(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class PatientForm(forms.ModelForm):
    """A patient's details, substances of concern and a goal for each (Patient.substance_goals).

    A use counts as a lapse only against a goal of not using at all; a substance of concern
    may have no goal (tobacco has none unless it is chosen here).
    """

    substances = forms.MultipleChoiceField(
        choices=Substance.choices,
        initial=[Substance.KETAMINE],
        widget=forms.CheckboxSelectMultiple,
        help_text="Ketamine is chosen by default.",
    )
    goal_not_using = _goal_field(
        "Goal: not using at all",
        "A use of one of these is a lapse and tells the care team. When enrolling, leave both "
        "goals empty for the default: every substance of concern except tobacco.",
    )
    goal_using_less = _goal_field(
        "Goal: using less", "Uses are recorded with the check-in but are not lapses."
    )

    class Meta:
        model = Patient
        fields = [
            "preferred_name",
            "date_of_birth",
            "timezone",
            "substances",
            "goal_not_using",
            "goal_using_less",
            "recovery_start_date",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals = self.instance.substance_goals or {}
        for name, goal in [
            ("goal_not_using", Goal.ABSTINENCE),
            ("goal_using_less", Goal.REDUCTION),
        ]:
            self.fields[name].initial = [s for s, chosen in goals.items() if chosen == goal]

    def clean_substances(self) -> list[str]:
        return clean_substances(list(self.cleaned_data["substances"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "substances" not in data:
            return data  # the substances' own error says what to fix first
        not_using = list(data.get("goal_not_using") or [])
        using_less = list(data.get("goal_using_less") or [])
        both = [Substance(s).label for s in not_using if s in using_less]
        if both:
            self.add_error("goal_using_less", f"Choose one goal for {', '.join(both)}.")
            return data
        data["substance_goals"] = None  # enrolment with no goal chosen: the defaults
        if not self.instance._state.adding or not_using or using_less:
            goals = {s: Goal.ABSTINENCE.value for s in not_using}
            goals |= {s: Goal.REDUCTION.value for s in using_less}
            try:
                data["substance_goals"] = clean_goals(goals, data["substances"])
            except ValidationError as error:
                self.add_error("goal_not_using", error.messages)
                return data
            self.instance.substance_goals = data["substance_goals"]
        return data


class PatientEnrolmentForm(PatientForm):
    """Adding a patient creates their account and e-mails them a set-password link."""

    username = forms.SlugField(max_length=150)
    email = forms.EmailField()

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username {username!r} is already taken.")
        return username


class AuditedPatientDataAdmin(AuditedReads, OrganizationScopedAdmin):
    """Audits every look at, and change of, a patient's data made through the admin."""

    def patient_of(self, obj: Any) -> Patient:
        return obj if isinstance(obj, Patient) else obj.patient

    def patients_shown(self, objects: Sequence[Any]) -> Iterable[Patient]:
        return map(self.patient_of, objects)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor_for(request),
            AuditAction.UPDATE if change else AuditAction.CREATE,
            patient=self.patient_of(obj),
            object_type=self.audit_object,
            object_id=str(obj.pk),
        )


@admin.register(Patient)
class PatientAdmin(AuditedPatientDataAdmin):
    audit_object, audit_list = AuditObject.PATIENT, AuditObject.ADMIN_PATIENT_LIST
    list_display = ["preferred_name", "user", "recovery_start_date"]
    search_fields = ["preferred_name", "user__username"]
    form = PatientForm
    inlines = [CareTeamInline, EpisodeInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PatientEnrolmentForm
            kwargs["fields"] = ["username", "email", *PatientForm.Meta.fields]
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["username", "email", *PatientForm.Meta.fields]
        return PatientForm.Meta.fields

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        organization = admin_organization(request)
        if organization is None:
            raise PermissionError("Superusers enrol patients from an organization admin account.")
        data = form.cleaned_data
        user = create_invited_user(username=data["username"], email=data["email"])
        patient = enroll_patient(
            organization,
            user,
            preferred_name=data["preferred_name"],
            date_of_birth=data["date_of_birth"],
            timezone=data["timezone"],
            substances=data["substances"],
            substance_goals=data.get("substance_goals"),
            recovery_start_date=data["recovery_start_date"],
        )
        form.instance = obj = patient
        record(
            actor_for(request),
            AuditAction.CREATE,
            patient=patient,
            object_type=AuditObject.ENROLMENT,
            object_id=str(patient.pk),
        )
        send_invitation(
            user, organization_name=organization.name, base_url=request.build_absolute_uri("/")
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A health record is retained, not deleted.
        return False


@admin.register(Episode)
class EpisodeAdmin(AuditedPatientDataAdmin):
    audit_object, audit_list = AuditObject.EPISODE, AuditObject.ADMIN_EPISODE_LIST
    list_display = ["patient", "admitted_on", "planned_discharge_on", "discharged_on"]
    list_filter = ["discharged_on"]
    inlines = [ProgramStayInline]
    # Not a <select> of every patient (issue 12, point 4): the search suggestions are
    # audited, and an episode's page shows only its own patient.
    autocomplete_fields = ["patient"]
    fields = [
        "patient",
        "admitted_on",
        "planned_discharge_on",
        "discharged_on",
        "discharge_destination",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            inline_form.instance.patient_id = form.instance.patient_id
        super().save_formset(request, form, formset, change)
