"""The dashboard's figures for one scope, and the data its charts draw."""

from __future__ import annotations

from typing import Any

from waymark.outcomes import stay_scores
from waymark.outcomes.accountability import alert_accountability
from waymark.outcomes.bam import bam_chart, bam_trends
from waymark.outcomes.engagement import engagement
from waymark.outcomes.lanes import over_one_snapshot
from waymark.outcomes.measures import INSTRUMENTS, WEEKS, measure_tables
from waymark.outcomes.missed import missed_counts
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
    """Every figure of the dashboard over one snapshot of the data (`lanes`), the parts
    largest first so that the lanes finish together; the missed list's counts come back
    as `missed_counts`, without names (`missed.with_names` adds them)."""
    found = over_one_snapshot(
        {
            "missed_counts": lambda: missed_counts(scope),
            "abstinence": lambda: days_abstinent(scope),
            "engagement": lambda: engagement(scope),
            "measures": lambda: measure_tables(scope, refresh=False),
            "lapses": lambda: time_to_first_lapse(scope, anchor),
            "retention": lambda: retention(scope),
            "bam": lambda: bam_trends(scope),
            "cohort_size": lambda: cohort(scope).count(),
            "alerts": lambda: alert_accountability(scope),
        },
        prepare=lambda: stay_scores.refresh(scope, INSTRUMENTS),
    )
    engaged = found.pop("engagement")
    return {
        **found,
        **engaged,
        "bam_chart": bam_chart(found["bam"]),
        "abstinence_chart": abstinence_chart(found["abstinence"]),
        "lapse_chart": lapse_chart(found["lapses"]),
        "weeks": WEEKS,
    }
