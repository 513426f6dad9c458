"""Questionnaire responses on the clinician's patient timeline: each one an event, and the
PHQ-9 and GAD-7 totals drawn on the chart's score axis."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Severity
from waymark.patients.models import Patient
from waymark.questionnaires.services import build_response, current_questionnaire
from waymark.questionnaires.tests.helpers import (
    PUBLISHED_GAD7,
    PUBLISHED_PHQ9,
    numbered,
    phq9,
    recorded,
)

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def timeline(client: Client, patient: Patient) -> tuple[Any, dict[str, Any]]:
    response = client.get(reverse("patients:timeline", args=[patient.pk]))
    assert response.status_code == 200
    found = re.search(
        r'<script id="timeline-data" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    assert found, "no chart data"
    return response, json.loads(found.group(1))


def test_it_draws_phq9_and_gad7_totals_on_the_score_axis(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    earlier = recorded(alice, "phq-9", phq9([3] * 8 + [0]), days_ago=14)  # 24
    later = recorded(alice, "phq-9", numbered(PUBLISHED_PHQ9), days_ago=2)  # 12
    gad = recorded(alice, "gad-7", numbered(PUBLISHED_GAD7), days_ago=2)  # 7

    _, chart = timeline(client_for(bob), alice)

    # Series named "… score" go on the questionnaire axis (static/patients/timeline.js).
    assert chart["series"]["PHQ-9 score"] == [
        {"x": earlier.submitted_at.date().isoformat(), "y": 24},
        {"x": later.submitted_at.date().isoformat(), "y": 12},
    ]
    assert chart["series"]["GAD-7 score"] == [{"x": gad.submitted_at.date().isoformat(), "y": 7}]
    assert not [m for m in chart["markers"] if m["kind"] == "questionnaire"]


def test_it_lists_every_response_as_an_event_linked_to_it(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    phq = recorded(alice, "phq-9", numbered(PUBLISHED_PHQ9), days_ago=3)
    recorded(alice, "who-5", numbered([3, 3, 3, 3, 3]), days_ago=1)

    response, chart = timeline(client_for(bob), alice)

    titles = [e.title for e in response.context["events"] if e.kind == "questionnaire"]
    assert titles[1] == "PHQ-9: 12 (moderate)"  # newest first
    assert titles[0].startswith("WHO-5: 60")  # its primary scale: the 0–100 percentage
    (event,) = [e for e in response.context["events"] if e.title == "PHQ-9: 12 (moderate)"]
    assert event.url == reverse("questionnaires:patient_response", args=[alice.pk, phq.pk])
    assert "PHQ-9: 12 (moderate)" in response.content.decode()
    # WHO-5's total is not drawn on the score axis: it is a marker among the events.
    assert [m["kind"] for m in chart["markers"]].count("questionnaire") == 1
    assert "WHO-5 score" not in chart["series"]


def test_a_safety_answer_is_an_urgent_event(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    recorded(alice, "phq-9", phq9(item9=2), days_ago=2)

    response, _ = timeline(client_for(bob), alice)

    (event,) = [e for e in response.context["events"] if e.kind == "questionnaire"]
    assert event.severity == Severity.URGENT
    assert "safety question" in event.detail


def test_a_corrected_response_gives_way_to_its_correction(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    original = recorded(alice, "phq-9", phq9([3] * 8 + [0]), days_ago=2)
    questionnaire = current_questionnaire(alice.organization_id, "phq-9")
    correction, _ = build_response(
        alice, questionnaire, numbered(PUBLISHED_PHQ9), by=alice.user, corrects=original
    )
    correction.save()

    response, chart = timeline(client_for(bob), alice)

    events = [e for e in response.context["events"] if e.kind == "questionnaire"]
    assert [e.title for e in events] == ["PHQ-9: 12 (moderate)"]
    assert [point["y"] for point in chart["series"]["PHQ-9 score"]] == [12]
