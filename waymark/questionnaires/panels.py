"""What the questionnaires app adds to the patient's home and to the patient record
(patients/panels.py). Reads only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, register_panel
from waymark.questionnaires.presenting import build_series, milestones
from waymark.questionnaires.reports import DEFAULT_DAYS, patient_completion
from waymark.questionnaires.services import patient_occurrences, standing_responses, todo_for


@register_panel(
    "questionnaires_home", order=20, where={HOME}, template="questionnaires/_home_panel.html"
)
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The patient's own home: what to fill in now, and the latest results."""
    return {
        "patient": patient,
        "todo": todo_for(patient),
        "series": build_series(standing_responses(patient), primary_only=True),
    }


@register_panel(
    "questionnaires", order=30, where={RECORD}, template="questionnaires/_patient_panel.html"
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The clinician's view on the patient record (the view has already audited the read)."""
    series = build_series(standing_responses(patient), primary_only=True)
    found = patient_occurrences(patient)
    since = patient.local_today() - dt.timedelta(days=DEFAULT_DAYS)
    return {
        "patient": patient,
        "series": series,
        "milestones": {s.key: [m for p in s.paths.values() for m in milestones(p)] for s in series},
        "open_items": [o for o in found if o.status.is_open],
        "completion": patient_completion(found, since=since),
    }
