from __future__ import annotations

from typing import Any

from django import forms

from waymark.accounts.models import User
from waymark.errors import ServiceErrorFormMixin
from waymark.organizations.models import LevelOfCare, Organization, Program, Role
from waymark.patients.models import DischargeDestination

DATE = forms.DateInput(attrs={"type": "date"})


class ProgramChoiceForm(ServiceErrorFormMixin, forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )


class AdmitForm(ProgramChoiceForm):
    on = forms.DateField(label="Admitted on", widget=DATE)
    planned_discharge_on = forms.DateField(
        label="Planned discharge", required=False, widget=DATE,
        help_text="Residential stays are commonly planned for 30–90 days.",
    )  # fmt: skip


class MoveForm(ProgramChoiceForm):
    on = forms.DateField(label="Moves on", widget=DATE)


class DischargeForm(ServiceErrorFormMixin, forms.Form):
    service_fields = {"discharge_destination": "destination"}

    on = forms.DateField(label="Discharged on", widget=DATE)
    destination = forms.ChoiceField(
        choices=[("", "Choose…"), *DischargeDestination.choices],
        error_messages={"required": "A discharge needs a destination."},
    )
    aftercare_plan = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who the patient will see next, where, and when.",
    )  # fmt: skip
    no_aftercare_reason = forms.CharField(
        label="Or: why there is no aftercare plan", max_length=300, required=False,
        help_text="For example: declined any further care; moved away; referred elsewhere.",
    )  # fmt: skip
    follow_up_on = forms.DateField(
        label="Follow up by", widget=DATE,
        error_messages={"required": "Set the day someone should have been in touch by."},
        help_text=(
            "The day someone should have been in touch by (a check-in, a call, a visit). "
            "If it passes with no contact, the care team is alerted. A week after "
            "discharge is usual."
        ),
    )  # fmt: skip


class CareFilter(forms.Form):
    """A GET form's program, level of care and clinician filters over one organization
    (the caseload's and the outcomes dashboard's); an unknown value is ignored rather
    than an error page (`value`)."""

    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), required=False, empty_label="All programs"
    )
    level = forms.ChoiceField(label="Level of care", required=False)
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any clinician"
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["program"].queryset = Program.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["level"].choices = [("", "All levels of care"), *LevelOfCare.choices]  # type: ignore[attr-defined]
        self.fields["clinician"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__organization=organization, memberships__role=Role.CLINICIAN
        ).order_by("first_name")

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() or name not in self.errors else None


class CaseloadFilter(CareFilter):
    """Narrow the caseload; an unknown value is ignored rather than an error page."""

    show = forms.ChoiceField(
        label="Discharged patients",
        choices=[
            ("", "In care and recently discharged"),
            ("recent", "Recently discharged only"),
            ("all", "Include everyone discharged"),
        ],
        required=False,
    )
    reviewed = forms.ChoiceField(
        label="Reviewed by me",
        choices=[("", "Reviewed or not"), ("stale", "Not reviewed by me in 7 days")],
        required=False,
    )
    q = forms.CharField(
        label="Find a patient", max_length=80, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or record number"}),
    )  # fmt: skip
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def selects(self) -> list[forms.BoundField]:
        """The filters shown as selects, in the page's order."""
        return [self[name] for name in ("program", "level", "clinician", "show", "reviewed")]
