"""What the questionnaires app adds to the patient's home and to the patient record
(patients/panels.py). Reads only."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from waymark.audit.models import AuditObject
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, register_panel
from waymark.patients.queries import patient_stays
from waymark.questionnaires.definition import parse_definition
from waymark.questionnaires.loader import BUILTIN_DIR, read_definition_file
from waymark.questionnaires.models import Questionnaire
from waymark.questionnaires.presenting import build_series, milestones
from waymark.questionnaires.reports import DEFAULT_DAYS, patient_completion
from waymark.questionnaires.services import (
    done_of,
    every_response,
    patient_occurrences,
    standing_of,
    standing_responses,
    todo_for,
)


@functools.cache
def _builtin_short_titles() -> dict[str, str]:
    """The short title of each questionnaire that ships with Waymark, read once."""
    return {
        definition.key: definition.short_title
        for path in sorted(BUILTIN_DIR.glob("*.json"))
        if (definition := parse_definition(read_definition_file(path), source=path.name))
    }


def short_titles(keys: Iterable[str], organization_id: int) -> dict[str, str]:
    """Issue 16: the name staff read for each questionnaire key ("GAD-7", never "gad-7").
    No query for the built-in ones; one for an organization's own."""
    wanted = set(keys)
    titles = {k: t for k, t in _builtin_short_titles().items() if k in wanted}
    if missing := wanted - titles.keys():
        titles |= dict(
            Questionnaire.objects.available_to(organization_id)
            .filter(key__in=missing, is_current=True)
            .values_list("key", "short_title")
        )
    return titles


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
    "questionnaires",
    order=30,
    where={RECORD},
    template="questionnaires/_patient_panel.html",
    lazy=True,
    audit_object=AuditObject.QUESTIONNAIRE_RESPONSES,
    title="Questionnaires",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The clinician's view on the patient record (the view has already audited the read)."""
    responses = every_response(patient)  # one read for the series and what is due
    series = build_series(standing_of(responses), primary_only=True)
    found = patient_occurrences(patient, stays=patient_stays(patient), done=done_of(responses))
    since = patient.local_today() - dt.timedelta(days=DEFAULT_DAYS)
    open_items = [o for o in found if o.status.is_open]
    return {
        "patient": patient,
        "series": series,
        "milestones": {s.key: [m for p in s.paths.values() for m in milestones(p)] for s in series},
        "open_items": open_items,
        "titles": short_titles({o.key for o in open_items}, patient.organization_id),
        "completion": patient_completion(found, since=since),
    }
