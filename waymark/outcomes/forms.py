"""The dashboard's filters: a GET form whose unknown values are ignored, as on the caseload."""

from __future__ import annotations

import datetime as dt

from django import forms

from waymark.access import Actor, visible_patients
from waymark.outcomes.scope import Scope
from waymark.outcomes.substance import ANCHORS
from waymark.patients.forms import CareFilter
from waymark.patients.transitions import organization_today

PERIODS = [("30", "Last 30 days"), ("90", "Last 90 days"), ("180", "Last 6 months"),
           ("365", "Last 12 months")]  # fmt: skip
DEFAULT_PERIOD = 90


class OutcomesFilter(CareFilter):
    field_order = ["period", "program", "level", "clinician", "anchor"]
    period = forms.ChoiceField(choices=PERIODS, required=False)
    anchor = forms.ChoiceField(
        choices=[(key, f"Lapse after {label}") for key, label in ANCHORS.items()],
        required=False,
    )

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
