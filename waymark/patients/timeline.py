"""The patient timeline: every app contributes its events through one registry.

An app registers a provider — a function (patient, since) -> list[TimelineEvent] — in
its AppConfig.ready() or at import of its `timeline.py`; the clinician's timeline page
merges them, newest first, and plots them on one chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from waymark.charts import date_label, line, markers, one_axis_chart
from waymark.organizations.models import Locale
from waymark.patients.models import Patient
from waymark.registries import Registry


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # "checkin", "withdrawal", "questionnaire", "lapse", "alert", "note", "transition", …
    title: str
    detail: str = ""
    url: str = ""
    severity: int = 0  # 0 none; else alerts.models.Severity values
    # Plotted series, e.g. {"craving": 7}; names ending in " score" (e.g. "PHQ-9 score") go
    # on the questionnaire scores chart (0–30), the rest on the check-in chart (0–10).
    values: dict[str, float] = field(default_factory=dict)


Provider = Callable[[Patient, dt.datetime], list[TimelineEvent]]
_providers: Registry[Provider] = Registry()
register = _providers.register


def events_for(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    events = [event for provider in _providers for event in provider(patient, since)]
    return sorted(events, key=lambda event: event.at, reverse=True)


def providers() -> dict[str, Provider]:
    return _providers.as_dict()


SCORE_SUFFIX = " score"
# What each kind of marker is called in the charts' legends.
MARKER_LABELS = {
    "alert": "Alerts",
    "lapse": "Days of use",
    "transition": "Changes of program",
    "note": "Notes",
    "questionnaire": "Questionnaires",
    "withdrawal": "Withdrawal log",
    "medication": "Medications",
}
PALETTE = ["#1f6f78", "#6b4fa0", "#b26a00", "#2e7d32", "#5b6b75"]
URGENT = 40  # alerts.models.Severity.URGENT: a safety answer, on a check-in or a questionnaire


def _day(event: TimelineEvent) -> dt.date:
    """The event's day where the reader is (the organization's zone, for staff)."""
    return timezone.localdate(event.at)


def day_range(since: dt.datetime) -> list[dt.date]:
    """Every day from `since` to today, in the current time zone."""
    first, today = timezone.localdate(since), timezone.localdate()
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]


def timeline_chart(
    events: list[TimelineEvent], *, locale: str = Locale.EN_US, days: list[dt.date] | None = None
) -> dict[str, object]:
    """Series and markers (plotted values by day, and marker events), and the two charts
    drawn from them, each with one axis: check-in answers (0–10) and questionnaire
    scores (0–30), over `days` (the events' first to last day when not given)."""
    series: dict[str, list[dict[str, object]]] = {}
    marks = []
    for event in sorted(events, key=lambda e: e.at):
        day = _day(event).isoformat()
        for name, value in event.values.items():
            series.setdefault(name, []).append({"x": day, "y": value})
        if not event.values:
            marks.append(
                {"x": day, "kind": event.kind, "title": event.title, "severity": event.severity}
            )
    if days is None:
        found = sorted({_day(event) for event in events})
        days = (
            [found[0] + dt.timedelta(n) for n in range((found[-1] - found[0]).days + 1)]
            if found
            else []
        )
    charts = _charts(events, series, marks, days, locale)
    return {"series": series, "markers": marks, "charts": charts}


def _charts(
    events: list[TimelineEvent],
    series: dict[str, list[dict[str, object]]],
    marks: list[dict[str, Any]],
    days: list[dt.date],
    locale: str,
) -> list[dict[str, object]]:
    index = {day.isoformat(): n for n, day in enumerate(days)}
    labels = [date_label(day, locale) for day in days]
    safety_days = {_day(event).isoformat() for event in events if event.severity >= URGENT}

    def values(name: str) -> list[float | None]:
        row: list[float | None] = [None] * len(days)
        for point in series[name]:
            if str(point["x"]) in index:
                row[index[str(point["x"])]] = float(str(point["y"]))
        return row

    def marked(wanted: set[str]) -> list[bool]:
        return [day.isoformat() in wanted for day in days]

    def chart(
        key: str, title: str, names: list[str], high: float, spans: bool
    ) -> dict[str, object]:
        datasets = [
            line(
                name[:1].upper() + name[1:],
                values(name),
                PALETTE[n % len(PALETTE)],
                span_gaps=spans,
            )
            for n, name in enumerate(names)
        ]
        datasets.append(markers("Safety answer", marked(safety_days), high, "rectRot", "#1d2a33"))
        for kind in sorted({mark["kind"] for mark in marks}):
            at = {mark["x"] for mark in marks if mark["kind"] == kind}
            label = MARKER_LABELS.get(kind, kind.replace("_", " ").capitalize())
            datasets.append(markers(label, marked(at), high, "triangle", "#b3261e"))
        config = one_axis_chart(labels, datasets, title=title, low=0, high=high)
        return {"key": key, "title": title, "config": config}

    names = sorted(series)
    scores = [name for name in names if name.endswith(SCORE_SUFFIX)]
    answers = [name for name in names if name not in scores]
    return [
        chart("checkins", "Check-in answers (0–10)", answers, 10, spans=False),
        # Questionnaires are weeks apart: their scores are joined by straight segments.
        chart("scores", "Questionnaire scores (0–30)", scores, 30, spans=True),
    ]
