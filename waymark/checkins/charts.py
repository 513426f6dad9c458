"""The check-in charts: craving, mood and sleep, one small chart per scale.

Ratings are ordinal (mood 1–5, craving 0–10): points joined by straight segments, never
smoothed curves. One scale per chart, so one y axis each (`waymark/charts.py`). Days with
a safety answer and days with a lapse (use of a substance the patient means to stop) are
marked on every chart's time axis, and listed in the table next to it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waymark.charts import line, markers, one_axis_chart

BRAND, ALERT, PURPLE, INK = "#1f6f78", "#b3261e", "#6b4fa0", "#1d2a33"
SAFETY_LABEL = "Safety answer"
LAPSE_LABEL = "Day with use"


@dataclass(frozen=True)
class Scale:
    key: str
    title: str
    low: float
    high: float
    step: float
    color: str


SCALES = (
    Scale("craving", "Craving (0–10)", 0, 10, 1, ALERT),
    Scale("mood", "Mood (1–5)", 1, 5, 1, BRAND),
    Scale("sleep", "Sleep (hours)", 0, 12, 2, PURPLE),
)


def wellbeing_configs(
    labels: list[str], series: dict[str, list[Any]], safety: list[bool], lapses: list[bool]
) -> list[dict[str, Any]]:
    """One chart per scale: {"key", "title", "config"}, each marking the same days."""
    return [
        {
            "key": scale.key,
            "title": scale.title,
            "config": one_axis_chart(
                labels,
                [
                    line(scale.title, series[scale.key], scale.color),
                    markers(SAFETY_LABEL, safety, scale.high, "rectRot", INK),
                    markers(LAPSE_LABEL, lapses, scale.high, "triangle", ALERT),
                ],
                title=scale.title,
                low=scale.low,
                high=scale.high,
                step=scale.step,
            ),
        }
        for scale in SCALES
    ]


WITHDRAWAL_SCALES = (
    # (key, title, high, step, color): the log's total and its craving item, each its own chart.
    ("total", "All symptoms", None, 5, "#b26a00"),
    ("craving", "Craving (0–3)", 3, 1, ALERT),
)


def withdrawal_configs(points: list[dict[str, Any]], max_total: int) -> list[dict[str, Any]]:
    """The withdrawal log over days since admission: one chart per measure, one y axis each
    (the total and the 0–3 craving item used to share a chart with a second axis), entries
    joined by straight segments; several entries a day sit at their time of day."""
    charts = []
    for key, title, high, step, color in WITHDRAWAL_SCALES:
        top = max_total if high is None else high
        label = f"{title} (0–{top})" if high is None else title
        dataset = line(label, [{"x": p["day"], "y": p[key], "at": p["at"]} for p in points], color)
        config = one_axis_chart([], [dataset], title=label, low=0, high=top, step=step)
        config["options"]["scales"]["x"] = {
            "type": "linear",
            "min": 1,
            "title": {"display": True, "text": "Day since admission"},
            "ticks": {"stepSize": 1},
        }
        config["data"].pop("labels")
        charts.append({"key": key, "title": label, "config": config})
    return charts
