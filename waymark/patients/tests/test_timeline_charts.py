"""Issue 16 point 3 on the timeline: two charts with one axis each (check-in answers 0–10,
questionnaire scores 0–30, named by their labels), straight segments, readable days,
safety answers and other events marked on the time axis."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.organizations.models import Locale
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, timeline_chart
from waymark.questionnaires.tests.helpers import PUBLISHED_PHQ9, numbered, phq9, recorded

ClientFor = Callable[[User | None], Client]
AT = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def datasets(chart: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["label"]: d for d in chart["config"]["data"]["datasets"]}


@pytest.fixture
def charts() -> list[dict[str, Any]]:
    built = timeline_chart(
        [
            TimelineEvent(at=AT - DAY, kind="checkin", title="In", values={"craving": 3}),
            TimelineEvent(
                at=AT, kind="checkin", title="In", severity=40, values={"craving": 8, "mood": 2}
            ),
            TimelineEvent(at=AT + DAY, kind="alert", title="Alert", severity=30),
            TimelineEvent(
                at=AT + DAY, kind="questionnaire", title="PHQ-9", values={"PHQ-9 score": 14}
            ),
        ],
        locale=Locale.EN_GB,
    )
    result: list[dict[str, Any]] = built["charts"]  # type: ignore[assignment]
    return result


def test_it_splits_answers_and_scores_into_charts_of_one_axis(charts: list[dict[str, Any]]) -> None:
    assert [c["title"] for c in charts] == [
        "Check-in answers (0–10)",
        "Questionnaire scores (0–30)",
    ]
    for chart in charts:
        assert set(chart["config"]["options"]["scales"]) == {"x", "y"}
        assert {d["tension"] for d in chart["config"]["data"]["datasets"]} == {0}
    assert charts[1]["config"]["options"]["scales"]["y"]["max"] == 30
    assert "PHQ-9 score" in datasets(charts[1]) and "PHQ-9 score" not in datasets(charts[0])
    assert {"Craving", "Mood"} <= datasets(charts[0]).keys()


def test_it_labels_days_and_marks_safety_and_events(charts: list[dict[str, Any]]) -> None:
    answers = charts[0]["config"]
    assert answers["data"]["labels"] == ["19 Nov", "20 Nov", "21 Nov"]
    assert datasets(charts[0])["Craving"]["data"] == [3, 8, None]
    assert datasets(charts[0])["Safety answer"]["data"] == [None, 10, None]
    assert datasets(charts[0])["Alerts"]["data"] == [None, None, 10]
    assert datasets(charts[1])["Safety answer"]["data"] == [None, 30, None]
    assert datasets(charts[1])["PHQ-9 score"]["data"] == [None, None, 14]


@pytest.mark.usefixtures("frozen")
def test_the_page_draws_questionnaire_scores_by_their_names(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    recorded(alice, "phq-9", phq9([3] * 8 + [0]), days_ago=14)  # 24
    recorded(alice, "phq-9", numbered(PUBLISHED_PHQ9), days_ago=2)  # 12
    html = client_for(bob).get(reverse("patients:timeline", args=[alice.pk])).content.decode()
    found = re.search(r'<script id="timeline-scores" type="application/json">(.*?)</script>', html)
    assert found, "no questionnaire scores chart"
    scores = json.loads(found.group(1))
    [phq] = [d for d in scores["data"]["datasets"] if d["label"] == "PHQ-9 score"]
    assert [v for v in phq["data"] if v is not None] == [24, 12]
    assert scores["data"]["labels"][-1] == "Nov 27"  # Northstar's locale, today
    assert len(scores["data"]["labels"]) == 91  # the 90 days before today, and today
    assert "phq-9" not in json.dumps(scores)
    assert "Questionnaire scores (0–30)" in html and "PHQ-9: 12 (moderate)" in html
