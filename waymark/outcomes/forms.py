"""The dashboard's filters: a GET form whose unknown values are ignored, as on the caseload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from waymark.access import Actor, visible_patients
from waymark.accounts.models import User
from waymark.organizations.models import LevelOfCare, Organization, Program, Role
from waymark.outcomes.scope import Scope
from waymark.outcomes.substance import ANCHORS
from waymark.patients.transitions import organization_today

PERIODS = [("30", "Last 30 days"), ("90", "Last 90 days"), ("180", "Last 6 months"),
           ("365", "Last 12 months")]  # fmt: skip
DEFAULT_PERIOD = 90


class OutcomesFilter(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), required=False, empty_label="All programs"
    )
    level = forms.ChoiceField(required=False)
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any clinician"
    )
    anchor = forms.ChoiceField(
        choices=[(key, f"Lapse after {label}") for key, label in ANCHORS.items()],
        required=False,
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

    def scope(self, actor: Actor) -> Scope:
        """The filters resolved for `actor` (the period ends on the organization's today)."""
        self.is_valid()
        end = organization_today(self.organization)
        days = int(self.value("period") or DEFAULT_PERIOD)
        program, clinician = self.value("program"), self.value("clinician")
        return Scope(
            organization_id=self.organization.pk,
            patients=visible_patients(actor),
            start=end - dt.timedelta(days=days - 1),
            end=end,
            program_id=program.pk if program else None,
            level=self.value("level") or "",
            clinician_id=clinician.pk if clinician else None,
        )

    @property
    def lapse_anchor(self) -> str:
        return str(self.value("anchor") or "admission")
