"""Patients in the admin: enrolment with an invitation, care team, episodes of care.

Every view or change of a patient's data here is audited like anywhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from waymark.access import actor_for
from waymark.accounts.forms import NewUsernameField
from waymark.accounts.models import User
from waymark.admin_site import (
    AuditedReads,
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    admin_organization,
)
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.organizations.models import Organization, Program, Role
from waymark.organizations.timezones import timezone_choices
from waymark.patients.enrolment import Enrolment, enrol
from waymark.patients.models import (
    CareTeamMember,
    Episode,
    Goal,
    Patient,
    ProgramStay,
    Substance,
)
from waymark.patients.services import clean_goals, clean_substances
from waymark.patients.transitions import organization_today


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

    organization: Organization | None = None  # set by PatientAdmin.get_form

    timezone = forms.ChoiceField(
        label="Time zone", help_text="Reminders, check-in days and times follow it."
    )
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
            "legal_name",
            "preferred_name",
            "date_of_birth",
            "phone",
            "timezone",
            "allergies",
            "substances",
            "goal_not_using",
            "goal_using_less",
            "recovery_start_date",
        ]
        labels = {
            "preferred_name": "Preferred name",
            "recovery_start_date": "Recovery counted from",
        }
        help_texts = {"preferred_name": "What the person likes to be called; shown everywhere."}
        error_messages = {
            "date_of_birth": {"invalid": "Enter the date of birth as a date, e.g. 1990-05-17."}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals = self.instance.substance_goals or {}
        for name, goal in [
            ("goal_not_using", Goal.ABSTINENCE),
            ("goal_using_less", Goal.REDUCTION),
        ]:
            self.fields[name].initial = [s for s, chosen in goals.items() if chosen == goal]
        saved = "" if self.instance._state.adding else self.instance.timezone
        timezone_field = cast(forms.ChoiceField, self.fields["timezone"])
        timezone_field.choices = timezone_choices(keep=saved)
        if self.instance._state.adding and self.organization is not None:
            self.initial.setdefault("timezone", self.organization.timezone)

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        today = dt.date.today()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born.year < 1900:
            raise forms.ValidationError("Check the year of the date of birth.")
        return born

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
    """Adding a patient (issue 16, point 7): their account, record, program and care team in
    one step; the invitation to choose a password goes through the delivery queue."""

    username = NewUsernameField()
    email = forms.EmailField(label="E-mail")
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), help_text="They are admitted to it on the day below."
    )
    admitted_on = forms.DateField(label="Admitted on")
    care_team = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The clinicians who receive this patient's alerts.",
    )
    primary_clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="Added to the care team if not ticked above.",
    )

    FIELDS = [
        "username", "email", "legal_name", "preferred_name", "date_of_birth", "phone",
        "timezone", "program", "admitted_on", "care_team", "primary_clinician", "allergies",
        "substances", "goal_not_using", "goal_using_less", "recovery_start_date",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.organization is None:
            return
        program = cast(forms.ModelChoiceField, self.fields["program"])
        program.queryset = Program.objects.filter(organization=self.organization, is_active=True)
        clinicians = active_clinicians(self.organization)
        for name in ("care_team", "primary_clinician"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = clinicians
        self.initial.setdefault("admitted_on", organization_today(self.organization))

    def clean_admitted_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["admitted_on"]
        if self.organization is not None and on > organization_today(self.organization):
            raise forms.ValidationError("The admission cannot be in the future.")
        return on

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.organization is None:
            raise forms.ValidationError("Add patients from an organization admin's account.")
        return data

    def to_data(self) -> Enrolment:
        data = self.cleaned_data
        names = [f.name for f in dataclasses.fields(Enrolment)]
        return Enrolment(**{name: data[name] for name in names if name in data})


def active_clinicians(organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization=organization,
        memberships__role=Role.CLINICIAN,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


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
    list_display = ["preferred_name", "legal_name", "record_number", "user", "date_of_birth"]
    search_fields = ["preferred_name", "legal_name", "record_number", "user__username"]
    readonly_fields = ["record_number"]
    form = PatientForm
    inlines = [CareTeamInline, EpisodeInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PatientEnrolmentForm
            kwargs["fields"] = PatientEnrolmentForm.FIELDS
        form = super().get_form(request, obj, change, **kwargs)
        organization = obj.organization if obj is not None else admin_organization(request)
        return type(form.__name__, (form,), {"organization": organization})

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PatientEnrolmentForm.FIELDS
        return ["record_number", *PatientForm.Meta.fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["record_number"] if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        patient = enrol(actor_for(request), form.to_data())
        # The admin goes on with `obj` (its log entry, its redirect): make it the saved row.
        obj.__dict__.update(patient.__dict__)

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
