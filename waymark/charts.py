"""Chart.js configurations built on the server, the same way for every chart.

One y axis per chart; values joined by straight segments (`tension: 0`), never smoothed
curves that pass through values nobody gave; marker days drawn as points without a line
on the top edge of the chart; day labels the organization's way. The pages embed the
configuration with `json_script` and the vendored Chart.js draws it as it is, so tests
read exactly what is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from waymark.organizations.models import Locale


def date_label(day: dt.date, locale: str) -> str:
    """A short readable day: "Nov 3" (en-US) or "3 Nov" (en-GB)."""
    month = day.strftime("%b")
    return f"{month} {day.day}" if locale == Locale.EN_US else f"{day.day} {month}"


def line(
    label: str,
    values: Sequence[float | None] | Sequence[dict[str, Any]],
    color: str,
    *,
    span_gaps: bool = False,
) -> dict[str, Any]:
    """Values joined by straight segments; None is a gap unless `span_gaps`. Values are
    one per day label, or points `{"x", "y", …}` on a linear axis."""
    return {
        "type": "line",
        "label": label,
        "data": list(values),
        "tension": 0,
        "spanGaps": span_gaps,
        "pointRadius": 3,
        "borderWidth": 2,
        "borderColor": color,
        "backgroundColor": color,
        "yAxisID": "y",
    }


def markers(
    label: str, marked: Sequence[bool], at: float, style: str, color: str
) -> dict[str, Any]:
    """Points at height `at` on the marked days, with no line between them."""
    return {
        "type": "line",
        "label": label,
        "data": [at if mark else None for mark in marked],
        "showLine": False,
        "tension": 0,
        "pointStyle": style,
        "pointRadius": 7,
        "borderColor": color,
        "backgroundColor": color,
        "yAxisID": "y",
    }


def one_axis_chart(
    labels: Sequence[str],
    datasets: list[dict[str, Any]],
    *,
    title: str,
    low: float,
    high: float,
    step: float | None = None,
) -> dict[str, Any]:
    """A line chart over day labels with exactly one y axis, from `low` to `high`."""
    return {
        "type": "line",
        "data": {"labels": list(labels), "datasets": datasets},
        "options": {
            "maintainAspectRatio": False,
            "animation": False,
            "interaction": {"mode": "index", "intersect": False},
            "plugins": {"legend": {"position": "bottom", "labels": {"boxWidth": 12}}},
            "scales": {
                "x": {"ticks": {"maxTicksLimit": 8}},
                "y": {
                    "min": low,
                    "max": high,
                    "title": {"display": True, "text": title},
                    "ticks": {"stepSize": step},
                },
            },
        },
    }
