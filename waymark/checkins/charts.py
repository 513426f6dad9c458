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
