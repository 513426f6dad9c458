"""The patient's home panel and the clinician's panel on the patient record."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.checkins.tests.conftest import Submit, two_visits
from waymark.conftest import TODAY
from waymark.patients.models import Patient
from waymark.patients.panels import panels

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def chart_data(html: str, chart_id: str) -> dict[str, Any]:
    match = re.search(rf'id="{chart_id}"[^>]*>(.*?)</script>', html)
    assert match, f"no chart data {chart_id}"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def patient_panel(patient: Patient) -> str:
    """The panel as the patient record (which has already audited the read) renders it."""
    (panel,) = [panel for panel in panels() if panel.name == "checkins"]
    return render_to_string(panel.template, panel.build(RequestFactory().get("/"), patient))


@pytest.fixture
def history(alice: Patient, submit: Submit, frozen: Any) -> None:
    """Three check-ins this week; a drink four days ago; a missed day in between."""
    for n, craving, uses in ((4, 7, [("alcohol", "3 beers")]), (3, 5, []), (1, 3, [])):
        frozen.move_to(dt.datetime.combine(days_ago(n), dt.time(20), dt.UTC))
        submit(alice, day=days_ago(n), craving=craving, uses=uses)
    frozen.move_to(dt.datetime.combine(TODAY, dt.time(20), dt.UTC))


@pytest.mark.usefixtures("history")
def test_it_shows_today_counters_streak_and_what_is_due(
    alice: Patient, client_for: ClientFor
) -> None:
    html = client_for(alice.user).get("/me/").content.decode()

    assert "Not checked in yet" in html
    assert "Check in now" in html
    assert "1 day in a row" in html  # yesterday's; today's is still to come
    assert re.search(r"Ketamine</div>\s*<div class=\"stat\">20</div>", html)
    assert re.search(r"Alcohol</div>\s*<div class=\"stat\">4</div>", html)
    assert "Today&#x27;s check-in" in html and "About a minute" in html


@pytest.mark.usefixtures("history")
def test_it_charts_craving_mood_and_sleep_with_lapses_marked_and_gaps_for_missed_days(
    alice: Patient, client_for: ClientFor
) -> None:
    html = client_for(alice.user).get("/me/").content.decode()

    data = chart_data(html, "wellbeing-home")
    assert len(data["labels"]) == 30
    assert data["days"][-1] == TODAY.isoformat()
    assert data["labels"][-1] == "Nov 27"  # Northstar's locale is en-US
    assert data["craving"][-5:] == [7, 5, None, 3, None]
    assert data["mood"][-2] == 4 and data["sleep"][-2] == 7.5
    assert data["lapses"][-5:] == ["Alcohol", None, None, None, None]
    assert "3 check-ins, average craving 5.0 / 10" in html  # the summary without JavaScript
    assert "<summary>Show the numbers</summary>" in html


@pytest.mark.usefixtures("history")
def test_it_shows_ninety_days_when_asked(alice: Patient, client_for: ClientFor) -> None:
    html = client_for(alice.user).get("/me/?days=90").content.decode()

    assert len(chart_data(html, "wellbeing-home")["labels"]) == 90
    assert 'aria-current="page">90 days' in html


def test_it_offers_yesterday_late_and_the_withdrawal_log_in_detox(
    dana: Patient, client_for: ClientFor
) -> None:
    html = client_for(dana.user).get("/me/").content.decode()

    assert "Yesterday&#x27;s check-in" in html
    assert f"/checkin/?date={days_ago(1).isoformat()}" in html
    assert 'href="/withdrawal/"' in html


def test_it_says_when_today_is_done(alice: Patient, client_for: ClientFor, submit: Submit) -> None:
    submit(alice)

    html = client_for(alice.user).get("/me/").content.decode()

    assert "Checked in</strong> at 15:00" in html  # New York time, not UTC (20:00)
    assert "You can change it until midnight" in html


def test_it_celebrates_a_milestone_once_on_the_home_page(
    alice: Patient, client_for: ClientFor
) -> None:
    first, second = two_visits(client_for(alice.user), "/me/")

    assert "2 weeks without ketamine" in first
    assert "2 weeks without" not in second


@pytest.mark.usefixtures("history")
def test_it_gives_the_clinician_a_summary_chart_and_recent_checkins(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, safety_concern=True, note="Bad night.")

    html = patient_panel(alice)

    assert f"Last check-in {TODAY:%a} {TODAY.day} {TODAY:%b}" in html
    assert "1 safety answer in 30 days" in html
    assert "Safety: yes" in html
    assert "Bad night." in html
    assert "Alcohol (3 beers)" in html
    assert chart_data(html, "wellbeing-record")["craving"][-1] == 3
    # The record view has audited the read (get_patient); the panel adds none of its own.
    assert not AuditEvent.objects.exists()


def test_it_shows_the_clinician_the_withdrawal_log_in_detox(
    dana: Patient, client_for: ClientFor
) -> None:
    client_for(dana.user).post(
        "/withdrawal/",
        {"idempotency_key": "5b0c3c1e-3d1b-4c47-9d55-7a51f9e0c0b1", "craving": "3",
         "anxiety": "2", **{name: "0" for name in ("low_mood", "irritability", "restlessness",
         "sleep_problems", "fatigue", "poor_concentration", "tremor", "sweating",
         "appetite_change")}},
    )  # fmt: skip

    html = patient_panel(dana)

    assert "Withdrawal log (Withdrawal management, day 4)" in html
    assert "Craving (severe); Anxiety;" in html
    total = chart_data(html, "withdrawal-record-total")["data"]["datasets"]
    assert [point["y"] for point in total[0]["data"]] == [5]
    assert chart_data(html, "withdrawal-record-craving")["options"]["scales"]["y"]["max"] == 3
