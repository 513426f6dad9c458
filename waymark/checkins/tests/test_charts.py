"""Issue 16 point 3: the check-in charts tell the truth. Ratings are joined by straight
segments (never smoothed past real values), each chart has one y axis, dates read the
organization's way, and safety answers and days of use are marked on the time axis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from waymark.charts import date_label
from waymark.checkins.charts import LAPSE_LABEL, SAFETY_LABEL
from waymark.checkins.queries import wellbeing_chart
from waymark.checkins.tests.conftest import Submit
from waymark.checkins.tests.test_panels import chart_data, patient_panel
from waymark.conftest import TODAY
from waymark.patients.models import Patient

pytestmark = pytest.mark.usefixtures("frozen")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def alices_week(alice: Patient, submit: Submit, frozen: Any) -> dict[str, Any]:
    """A safety answer five days ago, a drink three days ago, a calm check-in yesterday."""
    for n, answers in (
        (5, {"craving": 8, "mood": 1, "safety_concern": True}),
        (3, {"craving": 6, "mood": 2, "uses": [("alcohol", "2 glasses")]}),
        (1, {"craving": 2, "mood": 5}),
    ):
        frozen.move_to(dt.datetime.combine(days_ago(n), dt.time(20), dt.UTC))
        submit(alice, day=days_ago(n), **answers)
    frozen.move_to(dt.datetime.combine(TODAY, dt.time(20), dt.UTC))
    return wellbeing_chart(alice, TODAY, 30)


def datasets(chart: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return [d for d in chart["config"]["data"]["datasets"] if d["label"] == label]


def test_it_draws_one_chart_per_scale_each_with_one_y_axis(alices_week: dict[str, Any]) -> None:
    charts = alices_week["charts"]
    assert [chart["title"] for chart in charts] == [
        "Craving (0–10)",
        "Mood (1–5)",
        "Sleep (hours)",
    ]
    for chart in charts:
        config = chart["config"]
        assert set(config["options"]["scales"]) == {"x", "y"}
        assert {d["yAxisID"] for d in config["data"]["datasets"]} == {"y"}
    mood = charts[1]["config"]["options"]["scales"]["y"]
    assert (mood["min"], mood["max"], mood["ticks"]["stepSize"]) == (1, 5, 1)


def test_it_joins_ratings_with_straight_segments_and_leaves_missed_days_empty(
    alices_week: dict[str, Any],
) -> None:
    for chart in alices_week["charts"]:
        for dataset in chart["config"]["data"]["datasets"]:
            assert dataset["tension"] == 0
            assert "cubicInterpolationMode" not in dataset
    [mood] = datasets(alices_week["charts"][1], "Mood (1–5)")
    assert mood["data"][-6:] == [1, None, 2, None, 5, None]
    assert mood["spanGaps"] is False


def test_it_marks_the_safety_day_and_the_day_of_use_on_every_chart(
    alices_week: dict[str, Any],
) -> None:
    for chart in alices_week["charts"]:
        top = chart["config"]["options"]["scales"]["y"]["max"]
        [safety] = datasets(chart, SAFETY_LABEL)
        [lapse] = datasets(chart, LAPSE_LABEL)
        assert safety["data"][-6:] == [top, None, None, None, None, None]
        assert lapse["data"][-6:] == [None, None, top, None, None, None]
        assert safety["showLine"] is False and lapse["showLine"] is False
    assert alices_week["safety_count"] == 1 and alices_week["lapse_count"] == 1


def test_it_labels_days_the_organizations_way(
    alices_week: dict[str, Any], erin: Patient, submit: Submit
) -> None:
    labels = alices_week["charts"][0]["config"]["data"]["labels"]
    assert labels[-1] == "Nov 27" and labels[0] == "Oct 29"  # Northstar: en-US
    submit(erin, day=TODAY)
    british = wellbeing_chart(erin, TODAY, 30)  # Harbour House: en-GB
    assert british["charts"][0]["config"]["data"]["labels"][-1] == "27 Nov"
    assert date_label(dt.date(2026, 3, 3), "en-GB") == "3 Mar"


def test_the_record_shows_each_chart_with_a_legend_and_the_safety_day_in_the_table(
    alice: Patient, alices_week: dict[str, Any]
) -> None:
    html = patient_panel(alice)
    craving = chart_data(html, "wellbeing-record-craving")
    assert craving["options"]["scales"]["y"]["title"]["text"] == "Craving (0–10)"
    assert "◆ a day with a safety answer · ▲ a day with use" in html
    assert '<td data-label="Safety answer">Yes</td>' in html
    assert "Nov 22" in html  # the safety day, in the table, as the chart labels it
    assert "1 day with a safety answer" in html
