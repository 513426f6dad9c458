"""Trajectories: a score over time, with reliable change, response and remission marked.

The rules come from the definition's `waymark.change` block (for the PHQ-9:
reliable change ≥ 5 points, response = a fall of at least 50 % from baseline,
remission = a score below 5; Kroenke et al. 2001, McMillan et al. 2010). Every
point is compared with the **baseline**, the first score in the series.
Response and remission are only marked when the baseline was at or above the
remission line: a person who starts at 3 and stays low has not "remitted".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from waymark.questionnaires.definition import ChangeRule, Scale
from waymark.questionnaires.scoring import number


class Marker(StrEnum):
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    RELIABLE_DETERIORATION = "reliable_deterioration"
    RESPONSE = "response"
    REMISSION = "remission"

    @property
    def label(self) -> str:
        return {
            Marker.RELIABLE_IMPROVEMENT: "Reliable improvement",
            Marker.RELIABLE_DETERIORATION: "Reliable worsening",
            Marker.RESPONSE: "Response",
            Marker.REMISSION: "Remission",
        }[self]

    def explained(self, rule: ChangeRule | None) -> str:
        """The label with the rule's numbers, e.g. "Remission (below 5)"."""
        if rule is None:
            return self.label
        change = number(rule.reliable_change) if rule.reliable_change is not None else None
        detail = {
            Marker.RELIABLE_IMPROVEMENT: f"{change}+ points better than the first score",
            Marker.RELIABLE_DETERIORATION: f"{change}+ points worse than the first score",
            Marker.RESPONSE: (
                f"{number(rule.response_reduction * 100)}% or more below the first score"
                if rule.response_reduction is not None
                else ""
            ),
            Marker.REMISSION: (
                f"below {number(rule.remission_below)}" if rule.remission_below is not None else ""
            ),
        }[self]
        return f"{self.label} ({detail})" if detail else self.label


@dataclass(frozen=True)
class Point:
    when: dt.datetime
    value: Decimal
    response_id: str = ""
    band: str = ""
    day: dt.date | None = None  # the patient's local date, for words


@dataclass(frozen=True)
class MarkedPoint:
    point: Point
    change: Decimal | None  # from baseline; None for the baseline itself
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Trajectory:
    points: tuple[MarkedPoint, ...]
    rule: ChangeRule | None = None
    first_reached: dict[Marker, MarkedPoint] = field(default_factory=dict)

    @property
    def baseline(self) -> Point | None:
        return self.points[0].point if self.points else None

    @property
    def latest(self) -> MarkedPoint | None:
        return self.points[-1] if self.points else None


def markers_for(value: Decimal, baseline: Decimal, rule: ChangeRule) -> tuple[Marker, ...]:
    """Which change markers a score earns against the baseline (lower is better)."""
    found = []
    fall = baseline - value
    if rule.reliable_change is not None:
        if fall >= rule.reliable_change:
            found.append(Marker.RELIABLE_IMPROVEMENT)
        elif -fall >= rule.reliable_change:
            found.append(Marker.RELIABLE_DETERIORATION)
    # Someone who starts below the remission line has nothing to respond or remit from.
    line = rule.remission_below
    started_above = line is None or baseline >= line
    reduction = rule.response_reduction
    if reduction is not None and started_above and baseline > 0 and fall >= baseline * reduction:
        found.append(Marker.RESPONSE)
    if line is not None and started_above and value < line:
        found.append(Marker.REMISSION)
    return tuple(found)


def trajectory(points: Sequence[Point], rule: ChangeRule | None = None) -> Trajectory:
    """Points in time order, each marked against the first; `rule` None marks nothing."""
    ordered = sorted(points, key=lambda point: point.when)
    if not ordered:
        return Trajectory((), rule)
    baseline = ordered[0].value
    marked = [MarkedPoint(ordered[0], None)]
    first: dict[Marker, MarkedPoint] = {}
    for point in ordered[1:]:
        markers = markers_for(point.value, baseline, rule) if rule else ()
        entry = MarkedPoint(point, point.value - baseline, markers)
        for marker in markers:
            first.setdefault(marker, entry)
        marked.append(entry)
    return Trajectory(tuple(marked), rule, first)


def chart_data(title: str, scale: Scale, path: Trajectory) -> dict[str, Any]:
    """What trajectory.js draws: points, shaded bands, markers (all JSON-safe)."""
    return {
        "title": title,
        "label": scale.label,
        "min": number(scale.min),
        "max": number(scale.max),
        "higherIs": scale.higher_is,
        "bands": [
            {
                "label": band.for_patient,
                "min": number(band.min),
                "max": number(band.max),
                "level": band.level,
            }
            for band in scale.bands
        ],
        "points": [
            {
                "t": int(entry.point.when.timestamp() * 1000),
                "y": number(entry.point.value),
                "day": entry.point.day or entry.point.when.date(),
                "band": entry.point.band,
                "markers": [marker.value for marker in entry.markers],
                "markerText": "; ".join(marker.explained(path.rule) for marker in entry.markers),
            }
            for entry in path.points
        ],
        "markerLabels": {marker.value: marker.explained(path.rule) for marker in Marker},
    }
