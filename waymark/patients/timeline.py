"""The patient timeline: every app contributes its events through one registry.

An app registers a provider — a function (patient, since) -> list[TimelineEvent] — in
its AppConfig.ready() or at import of its `timeline.py`; the clinician's timeline page
merges them, newest first, and plots them on one chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

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
    # on the questionnaire axis (0–30), the rest on the check-in axis (0–10).
    values: dict[str, float] = field(default_factory=dict)


Provider = Callable[[Patient, dt.datetime], list[TimelineEvent]]
_providers: Registry[Provider] = Registry()
register = _providers.register


def events_for(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    events = [event for provider in _providers for event in provider(patient, since)]
    return sorted(events, key=lambda event: event.at, reverse=True)


def providers() -> dict[str, Provider]:
    return _providers.as_dict()


def timeline_chart(events: list[TimelineEvent]) -> dict[str, object]:
    """Series and markers for the chart: plotted values by day, and marker events."""
    series: dict[str, list[dict[str, object]]] = {}
    markers = []
    for event in sorted(events, key=lambda e: e.at):
        day = event.at.date().isoformat()
        for name, value in event.values.items():
            series.setdefault(name, []).append({"x": day, "y": value})
        if not event.values:
            markers.append(
                {"x": day, "kind": event.kind, "title": event.title, "severity": event.severity}
            )
    return {"series": series, "markers": markers}
