"""Panels this app adds to pages other apps own (the patient's home, the patient record),
and small filters for its own templates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.db import models

from waymark.checkins import queries
from waymark.checkins.choices import Habit, KetamineSymptom, Meeting, Trigger
from waymark.checkins.models import Milestone
from waymark.checkins.services import celebrate_milestones
from waymark.checkins.sobriety import counters_for, milestone_name
from waymark.patients.models import Patient

register = template.Library()

_CHOICES: dict[str, type[models.TextChoices]] = {
    "trigger": Trigger,
    "habit": Habit,
    "meeting": Meeting,
    "symptom": KetamineSymptom,
}


@register.inclusion_tag("checkins/_home_panel.html", takes_context=True)
def checkins_home_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown on the patient's own home page: today, counters, chart, streak, what's next."""
    request = context.get("request")
    today = patient.local_today()
    days = queries.chart_days(request.GET.get("days") if request else None)
    counters = counters_for(patient, today)
    return {
        "patient": patient,
        "today_checkin": queries.checkin_for(patient, today),
        "streak": queries.checkin_streak(patient, today),
        "counters": counters,
        "new_milestones": celebrate_milestones(patient, counters=counters),
        "due": queries.due_next(patient, today),
        "chart": queries.wellbeing_chart(patient, today, days),
        "chart_ranges": queries.CHART_RANGES,
    }


@register.inclusion_tag("checkins/_patient_panel.html", takes_context=True)
def checkins_patient_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Shown to clinicians on the patient record (the view has already audited the read)."""
    today = patient.local_today()
    chart = queries.wellbeing_chart(patient, today, queries.CHART_RANGES[0])
    recent = queries.recent_checkins(patient)
    stay = queries.current_detox_stay(patient)
    withdrawal = None
    if stay is not None:
        withdrawal = {
            "stay": stay,
            "day": queries.day_of_stay(stay, today),
            "timeline": queries.withdrawal_timeline(patient, stay),
        }
    return {
        "patient": patient,
        "chart": chart,
        "recent": recent,
        "last": recent[0] if recent else None,
        "streak": queries.checkin_streak(patient, today),
        "safety_days": sum(
            1 for row in chart["rows"] if row["checkin"] and row["checkin"].safety_concern
        ),
        "counters": counters_for(patient, today),
        "withdrawal": withdrawal,
    }


@register.filter(name="milestone_name")
def milestone_label(days: int) -> str:
    """e.g. 7 → "1 week", 730 → "2 years"."""
    return milestone_name(days)


@register.filter
def choice_labels(values: Iterable[str], kind: str) -> list[str]:
    """The labels of stored choice codes, e.g. ["lonely"] → ["Lonely"]."""
    choices = dict(_CHOICES[kind].choices)
    return [str(choices.get(value, value)) for value in values]


@register.filter
def biggest_milestone(milestones: Iterable[Milestone]) -> Milestone | None:
    """The one to celebrate when several were reached at once."""
    return max(milestones, key=lambda milestone: milestone.days, default=None)
