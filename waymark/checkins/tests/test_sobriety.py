"""Sobriety counters: days since last use; a lapse never erases history; milestones once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from waymark.checkins.models import Milestone
from waymark.checkins.services import UseData, celebrate_milestones, submit_checkin
from waymark.checkins.sobriety import (
    counters_for,
    milestone_name,
    milestones_reached,
    next_milestone,
    streaks,
)
from waymark.checkins.tests.conftest import Submit, answers
from waymark.conftest import NEW_YORK, NOW, TODAY
from waymark.patients.models import Patient

START = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def test_it_counts_days_since_the_start_without_any_use() -> None:
    runs = streaks(START, [], day(40))

    assert (runs.current, runs.longest, runs.total_abstinent, runs.counting_from) == (
        40,
        40,
        40,
        START,
    )


def test_it_restarts_the_current_run_after_a_lapse_but_keeps_the_rest() -> None:
    runs = streaks(START, [day(30)], day(40))

    assert runs.current == 10  # days since the last use
    assert runs.longest == 29  # days 1–29 before the lapse
    assert runs.total_abstinent == 39  # every day but the day of use
    assert runs.counting_from == day(30)


def test_it_counts_a_use_today_as_zero_days() -> None:
    runs = streaks(START, [day(5), day(9)], day(9))

    assert (runs.current, runs.longest, runs.total_abstinent) == (0, 4, 7)


def test_it_ignores_uses_before_the_count_started() -> None:
    assert streaks(day(10), [day(3)], day(20)).current == 10


@given(
    uses=st.lists(st.integers(min_value=1, max_value=400), max_size=30),
    today=st.integers(min_value=1, max_value=400),
    lapse=st.integers(min_value=1, max_value=400),
)
def test_it_never_loses_a_day_of_history(uses: list[int], today: int, lapse: int) -> None:
    runs = streaks(START, [day(n) for n in uses], day(today))

    used = {n for n in uses if n <= today}
    assert runs.total_abstinent == today - len(used)
    assert runs.current == today - max(used, default=0)
    assert runs.current <= runs.longest <= runs.total_abstinent
    # A new lapse takes away only its own day; every other day still counts.
    lapse = min(lapse, today)
    after = streaks(START, [*(day(n) for n in uses), day(lapse)], day(today))
    assert after.total_abstinent == runs.total_abstinent - (lapse not in used)


def test_it_reaches_milestones_at_the_published_days_then_yearly() -> None:
    reached = [days for days, _ in milestones_reached(START, START + dt.timedelta(days=800))]

    assert reached == [1, 7, 14, 30, 60, 90, 180, 365, 730]


def test_it_dates_yearly_milestones_on_the_anniversary() -> None:
    leap_day = dt.date(2028, 2, 29)
    reached = dict(milestones_reached(leap_day, dt.date(2029, 3, 1)))

    assert reached[365] == dt.date(2029, 2, 28)


def test_it_names_the_next_milestone() -> None:
    assert next_milestone(START, day(20)) == (30, day(30))
    assert next_milestone(START, day(400)) == (730, dt.date(2028, 1, 1))
    assert [milestone_name(d) for d in (1, 7, 14, 30, 180, 365, 1095)] == [
        "1 day", "1 week", "2 weeks", "30 days", "6 months", "1 year", "3 years",
    ]  # fmt: skip


@pytest.mark.usefixtures("frozen")
def test_it_gives_a_counter_per_abstinence_goal_counting_lapses_only(
    alice: Patient, submit: Submit
) -> None:
    alice.substance_goals = {"ketamine": "abstinence", "opioids": "abstinence"}
    alice.save()
    submit(alice, day=TODAY - dt.timedelta(days=1), uses=[("opioids", "a line", False)])
    submit(alice, uses=[UseData("opioids", "16 mg", as_prescribed=True), ("tobacco", "10")])

    counters = {c.substance: c for c in counters_for(alice, TODAY)}

    assert list(counters) == ["ketamine", "opioids"], "no goal for alcohol now, none for tobacco"
    assert counters["ketamine"].days_since_last_use == 20  # recovery started 20 days ago
    assert counters["opioids"].days_since_last_use == 1, "taken as prescribed today: no lapse"
    assert counters["opioids"].streaks.longest == 18
    assert [lapse.amount for lapse in counters["opioids"].lapses] == ["a line"]


@pytest.mark.usefixtures("frozen")
def test_it_counts_tobacco_only_once_the_patient_chooses_to_stop(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, uses=[("tobacco", "")])
    assert "tobacco" not in {c.substance for c in counters_for(alice, TODAY)}

    alice.substance_goals = {**alice.substance_goals, "tobacco": "abstinence"}
    alice.save()

    (tobacco,) = [c for c in counters_for(alice, TODAY) if c.substance == "tobacco"]
    assert tobacco.days_since_last_use == 0


def test_it_counts_from_the_first_checkin_when_there_is_no_recovery_date(
    alice: Patient, frozen: time_machine.Traveller
) -> None:
    alice.recovery_start_date = None
    alice.save()
    assert counters_for(alice, TODAY) == []
    frozen.move_to(NOW - dt.timedelta(days=5))
    submit_checkin(alice, answers(TODAY - dt.timedelta(days=5)), key=uuid.uuid4())

    (ketamine, _alcohol) = counters_for(alice, TODAY)

    assert ketamine.days_since_last_use == 5
    assert ketamine.started_on == TODAY - dt.timedelta(days=5)


def test_it_celebrates_each_milestone_once(alice: Patient, frozen: time_machine.Traveller) -> None:
    first = celebrate_milestones(alice)  # 20 days in: 1, 7 and 14 days, for two substances

    again = celebrate_milestones(alice)

    assert sorted((m.substance, m.days) for m in first) == [
        ("alcohol", 1), ("alcohol", 7), ("alcohol", 14),
        ("ketamine", 1), ("ketamine", 7), ("ketamine", 14),
    ]  # fmt: skip
    assert again == []
    frozen.move_to(NOW + dt.timedelta(days=10))
    assert sorted(m.days for m in celebrate_milestones(alice)) == [30, 30]
    assert Milestone.objects.count() == 8


@pytest.mark.usefixtures("frozen")
def test_it_celebrates_a_new_run_after_a_lapse_without_forgetting_the_old_one(
    alice: Patient, submit: Submit, frozen: time_machine.Traveller
) -> None:
    celebrate_milestones(alice)
    submit(alice, uses=[("ketamine", "")])
    frozen.move_to(dt.datetime.combine(TODAY + dt.timedelta(days=8), dt.time(12), NEW_YORK))

    new = celebrate_milestones(alice)

    assert sorted(m.days for m in new if m.substance == "ketamine") == [1, 7]
    assert Milestone.objects.filter(substance="ketamine").count() == 5
