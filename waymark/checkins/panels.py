"""What the check-ins app adds to the patient's home and to the patient record
(patients/panels.py). The builders only read; the home's milestones are recorded by the
panel's `record` step, which the view runs before anything is rendered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.audit.models import AuditObject
from waymark.checkins import queries
from waymark.checkins.models import SubstanceUse
from waymark.checkins.services import celebrate_milestones
from waymark.checkins.sobriety import Counter, counters_for
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, register_panel
from waymark.patients.queries import current_detox_stay_of, patient_stays


def _every_lapse(counters: list[Counter]) -> list[SubstanceUse]:
    """Every lapse of the patient, already read by the counters, for the chart. A lapse is
    a use of a substance with an abstinence goal, and each goal has a counter; there are no
    counters only without goals or without a check-in, and then there are no lapses. Pass
    the counters of `only_tracked=False`: a stopped counter's lapses are still lapses."""
    return [lapse for counter in counters for lapse in counter.lapses]


def _celebrate(request: HttpRequest, patient: Patient, context: dict[str, Any]) -> dict[str, Any]:
    """Milestones reached since the patient last looked: recorded once, shown this time."""
    return {"new_milestones": celebrate_milestones(patient, counters=context["counters"])}


@register_panel(
    "checkins_home",
    order=10,
    where={HOME},
    template="checkins/_home_panel.html",
    record=_celebrate,
)
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The patient's own home: today, counters, chart, streak, what's next."""
    today = patient.local_today()
    every = counters_for(patient, today, only_tracked=False)  # every lapse, for the chart
    counters = [counter for counter in every if counter.tracked]
    return {
        "patient": patient,
        "today_checkin": queries.checkin_for(patient, today),
        "streak": queries.checkin_streak(patient, today),
        "counters": counters,
        "due": queries.due_next(patient, today),
        "chart": queries.wellbeing_chart(
            patient,
            today,
            queries.chart_days(request.GET.get("days")),
            known_lapses=_every_lapse(every),
        ),
        "chart_ranges": queries.CHART_RANGES,
    }


@register_panel(
    "checkins",
    order=20,
    where={RECORD},
    template="checkins/_patient_panel.html",
    lazy=True,
    audit_object=AuditObject.CHECKINS,
    title="Check-ins",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The clinician's view on the patient record (the view has already audited the read).
    Two queries of check-ins and uses, whatever the history; the stays are the record's."""
    today = patient.local_today()
    read = queries.record_checkins(patient, today)
    counters = counters_for(patient, today, known_lapses=read.lapses, only_tracked=False)
    chart = queries.wellbeing_chart(
        patient,
        today,
        queries.CHART_RANGES[0],
        known_lapses=_every_lapse(counters),
        known_checkins=read.checkins,
    )
    recent = read.recent
    stay = current_detox_stay_of(patient_stays(patient))
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
        "streak": queries.checkin_streak(patient, today, known=read.checkins),
        "safety_days": sum(
            1 for row in chart["rows"] if row["checkin"] and row["checkin"].safety_concern
        ),
        "counters": counters,
        "withdrawal": withdrawal,
    }
