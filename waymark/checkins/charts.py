"""The check-in charts' Chart.js configurations, built here so tests can read them.

Ratings are ordinal (mood 1–5, craving 0–10): points joined by straight segments, never
smoothed curves that pass through values nobody gave. One scale per chart: craving, mood
and sleep each get their own small chart with one y axis. Days with a safety answer and
days with a lapse (use of a substance the patient means to stop) are marked on every
chart's time axis, and listed in the table next to it for screen readers. Dates read
the organization's way ("Nov 3" in the United States, "3 Nov" elsewhere).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from waymark.organizations.models import Locale

BRAND, ALERT, PURPLE, INK = "#1f6f78", "#b3261e", "#6b4fa0", "#1d2a33"
SAFETY_LABEL = "Safety answer"
LAPSE_LABEL = "Day with use"


def date_label(day: dt.date, locale: str) -> str:
    """A short readable day: "Nov 3" (en-US) or "3 Nov" (en-GB)."""
    month = day.strftime("%b")
    return f"{month} {day.day}" if locale == Locale.EN_US else f"{day.day} {month}"


@dataclass(frozen=True)
class Scale:
    key: str
    title: str
    low: float
    high: float
    step: float | None
    color: str


SCALES = (
    Scale("craving", "Craving (0–10)", 0, 10, 1, ALERT),
    Scale("mood", "Mood (1–5)", 1, 5, 1, BRAND),
    Scale("sleep", "Sleep (hours)", 0, 12, 2, PURPLE),
)


def _markers(label: str, days: list[bool], at: float, style: str, color: str) -> dict[str, Any]:
    """Points at the top of the chart on the marked days; no line between them."""
    return {
        "type": "line",
        "label": label,
        "data": [at if marked else None for marked in days],
        "showLine": False,
        "tension": 0,
        "pointStyle": style,
        "pointRadius": 7,
        "borderColor": color,
        "backgroundColor": color,
        "yAxisID": "y",
    }


def chart_config(
    scale: Scale,
    labels: list[str],
    values: list[float | None],
    safety: list[bool],
    lapses: list[bool],
) -> dict[str, Any]:
    y_axis: dict[str, Any] = {
        "min": scale.low,
        "max": scale.high,
        "title": {"display": True, "text": scale.title},
        "ticks": {"stepSize": scale.step},
    }
    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "type": "line",
                    "label": scale.title,
                    "data": values,
                    "tension": 0,  # straight segments: no curve between two answers
                    "spanGaps": False,  # a missed day is a gap, not a guess
                    "pointRadius": 3,
                    "borderWidth": 2,
                    "borderColor": scale.color,
                    "backgroundColor": scale.color,
                    "yAxisID": "y",
                },
                _markers(SAFETY_LABEL, safety, scale.high, "rectRot", INK),
                _markers(LAPSE_LABEL, lapses, scale.high, "triangle", ALERT),
            ],
        },
        "options": {
            "maintainAspectRatio": False,
            "animation": False,
            "interaction": {"mode": "index", "intersect": False},
            "plugins": {"legend": {"position": "bottom", "labels": {"boxWidth": 12}}},
            "scales": {"x": {"ticks": {"maxTicksLimit": 8}}, "y": y_axis},
        },
    }


def wellbeing_configs(
    labels: list[str], series: dict[str, list[Any]], safety: list[bool], lapses: list[bool]
) -> list[dict[str, Any]]:
    """One chart per scale: {"key", "title", "config"}."""
    return [
        {
            "key": scale.key,
            "title": scale.title,
            "config": chart_config(scale, labels, series[scale.key], safety, lapses),
        }
        for scale in SCALES
    ]
