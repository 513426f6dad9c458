"""Panels this app adds to pages other apps own (the patient's home, the patient record),
and small helpers for its own templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.text import slugify

from waymark.patients.models import Patient
from waymark.questionnaires.presenting import build_series, milestones
from waymark.questionnaires.reports import DEFAULT_DAYS, patient_completion
from waymark.questionnaires.services import patient_occurrences, standing_responses, todo_for

register = template.Library()


@register.inclusion_tag("questionnaires/_home_panel.html", takes_context=True)
def questionnaires_home_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown on the patient's own home page: what to fill in now, and the latest results."""
    return {
        "patient": patient,
        "todo": todo_for(patient),
        "series": build_series(standing_responses(patient), primary_only=True),
    }


@register.inclusion_tag("questionnaires/_patient_panel.html", takes_context=True)
def questionnaires_patient_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown to clinicians on the patient record (the view has already audited the read)."""
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


@register.simple_tag
def dom_id(*parts: object) -> str:
    """A unique, valid element id from parts: {% dom_id "chart" key forloop.counter as id %}."""
    return "-".join(slugify(str(part)) for part in parts if part not in (None, ""))


@register.filter
def primary_scale(scores: dict[str, Any]) -> dict[str, Any] | None:
    """The stored primary scale of a response's scores."""
    for scale in scores.get("scales", []):
        if scale.get("id") == scores.get("primary"):
            found: dict[str, Any] = scale
            return found
    return None


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
