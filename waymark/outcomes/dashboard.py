"""The dashboard's figures for one scope, and the data its charts draw."""

from __future__ import annotations

from typing import Any

from waymark.outcomes.accountability import alert_accountability
from waymark.outcomes.bam import bam_chart, bam_trends
from waymark.outcomes.engagement import engagement
from waymark.outcomes.measures import WEEKS, measure_tables
from waymark.outcomes.retention import retention
from waymark.outcomes.scope import Scope, cohort
from waymark.outcomes.substance import Abstinence, TimeToLapse, days_abstinent, time_to_first_lapse


def abstinence_chart(rows: list[Abstinence]) -> dict[str, Any]:
    """Per substance: the share of observed days abstinent, with use, and unknown."""
    return {
        "labels": [row.label for row in rows],
        "abstinent": [row.share(row.abstinent) for row in rows],
        "used": [row.share(row.used) for row in rows],
        "unknown": [row.share(row.unknown) for row in rows],
    }


def lapse_chart(result: TimeToLapse) -> dict[str, Any]:
    """Per program: the Kaplan–Meier steps from (0, 1) with their 95 % band."""
    return {
        "curves": [
            {
                "label": curve.program,
                "points": [{"x": 0, "y": 1.0, "lo": 1.0, "hi": 1.0}]
                + [
                    {
                        "x": step.time,
                        "y": round(step.survival, 4),
                        "lo": round(step.lower, 4),
                        "hi": round(step.upper, 4),
                    }
                    for step in curve.steps
                ],
            }
            for curve in result.curves
        ]
    }


def figures(scope: Scope, *, anchor: str) -> dict[str, Any]:
    abstinence = days_abstinent(scope)
    lapses = time_to_first_lapse(scope, anchor)
    bam = bam_trends(scope)
    return {
        "bam": bam,
        "bam_chart": bam_chart(bam),
        "cohort_size": cohort(scope).count(),
        "abstinence": abstinence,
        "abstinence_chart": abstinence_chart(abstinence),
        "lapses": lapses,
        "lapse_chart": lapse_chart(lapses),
        "alerts": alert_accountability(scope),
        "measures": measure_tables(scope),
        "retention": retention(scope),
        **engagement(scope),
        "weeks": WEEKS,
    }
