"""Reliable change (PHQ-9 >= 5), response (>= 50 % lower) and remission (< 5), against baseline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from waymark.questionnaires.tests.helpers import definition
from waymark.questionnaires.trajectories import Marker, Point, chart_data, trajectory

PHQ9 = definition("phq-9")
RULE = PHQ9.scoring.change
START = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)


def series(*values: int) -> list[Point]:
    return [
        Point(
            START + dt.timedelta(days=14 * i),
            Decimal(v),
            f"r{i}",
            day=(START + dt.timedelta(days=14 * i)).date(),
        )
        for i, v in enumerate(values)
    ]


def markers(*values: int) -> list[set[Marker]]:
    return [set(entry.markers) for entry in trajectory(series(*values), RULE).points]


def test_it_marks_a_fall_of_five_points_as_reliable_improvement_but_not_four() -> None:
    assert markers(18, 14, 13) == [set(), set(), {Marker.RELIABLE_IMPROVEMENT}]


def test_it_marks_a_rise_of_five_points_as_reliable_worsening() -> None:
    assert markers(6, 10, 11) == [set(), set(), {Marker.RELIABLE_DETERIORATION}]


def test_it_marks_response_at_half_the_baseline_or_lower() -> None:
    # 20 -> 11 is a 45 % fall (reliable, not a response); 20 -> 10 is exactly 50 %.
    assert markers(20, 11, 10) == [
        set(),
        {Marker.RELIABLE_IMPROVEMENT},
        {Marker.RELIABLE_IMPROVEMENT, Marker.RESPONSE},
    ]


def test_it_marks_remission_below_five_only_after_a_baseline_at_five_or_more() -> None:
    assert markers(12, 5, 4)[2] == {Marker.RELIABLE_IMPROVEMENT, Marker.RESPONSE, Marker.REMISSION}
    assert Marker.REMISSION not in markers(12, 5)[1]
    assert markers(3, 2, 0) == [set(), set(), set()]  # never above the line: nothing to remit


def test_it_compares_with_the_first_score_whatever_the_order_given() -> None:
    points = list(reversed(series(15, 9, 4)))
    path = trajectory(points, RULE)
    assert path.baseline is not None and path.baseline.value == 15
    assert path.latest is not None and path.latest.change == -11


def test_it_remembers_when_each_marker_was_first_reached() -> None:
    path = trajectory(series(16, 10, 7, 9), RULE)
    first = path.first_reached
    assert first[Marker.RELIABLE_IMPROVEMENT].point.response_id == "r1"
    assert first[Marker.RESPONSE].point.response_id == "r2"
    assert Marker.REMISSION not in first


def test_it_marks_nothing_without_a_change_rule() -> None:
    assert all(entry.markers == () for entry in trajectory(series(20, 2), None).points)


def test_it_gives_the_chart_the_bands_points_and_markers() -> None:
    path = trajectory(series(16, 4), RULE)
    data = chart_data("PHQ-9", PHQ9.form().primary_scale, path)
    assert (data["min"], data["max"], data["higherIs"]) == (0, 27, "worse")
    assert [(b["min"], b["max"]) for b in data["bands"]] == [
        (0, 4),
        (5, 9),
        (10, 14),
        (15, 19),
        (20, 27),
    ]
    assert [p["y"] for p in data["points"]] == [16, 4]
    assert set(data["points"][1]["markers"]) == {"reliable_improvement", "response", "remission"}
    assert data["points"][1]["t"] == int((START + dt.timedelta(days=14)).timestamp() * 1000)
    assert "Remission (below 5)" in data["points"][1]["markerText"]
    assert data["markerLabels"]["response"] == "Response (50% or more below the first score)"
