"""The check-in day is the patient's local day, across midnight and daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine

from waymark.checkins.models import CheckIn
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.conftest import NEW_YORK
from waymark.errors import ServiceError
from waymark.patients.models import Patient

UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def submit_today(patient: Patient, **overrides: object) -> CheckIn:
    return submit_checkin(
        patient, answers(patient.local_today(), **overrides), key=uuid.uuid4()
    ).checkin


def test_it_counts_2330_in_new_york_as_that_day_although_utc_is_tomorrow(alice: Patient) -> None:
    evening = dt.datetime(2026, 11, 27, 23, 30, tzinfo=NEW_YORK)
    assert evening.astimezone(UTC).date() == dt.date(2026, 11, 28)

    with at(evening):
        checkin = submit_today(alice)

    assert (checkin.local_date, checkin.completed_on) == (
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 27),
    )


def test_it_starts_a_new_day_at_0030_new_york_time(alice: Patient) -> None:
    with at(dt.datetime(2026, 11, 27, 23, 30, tzinfo=NEW_YORK)):
        submit_today(alice, craving=6)
    with at(dt.datetime(2026, 11, 28, 0, 30, tzinfo=NEW_YORK)):
        submit_today(alice, craving=2)
        with pytest.raises(ServiceError, match="can no longer be changed"):
            submit_checkin(alice, answers(dt.date(2026, 11, 27), craving=1), key=uuid.uuid4())

    assert list(CheckIn.objects.order_by("local_date").values_list("local_date", "craving")) == [
        (dt.date(2026, 11, 27), 6),
        (dt.date(2026, 11, 28), 2),
    ]


def test_it_keeps_the_day_whole_when_the_clocks_go_forward(alice: Patient) -> None:
    # 8 March 2026: New York skips from 02:00 to 03:00, so the day has 23 hours.
    with at(dt.datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK)):
        submit_today(alice, craving=5)
    with at(dt.datetime(2026, 3, 8, 23, 30, tzinfo=NEW_YORK)):
        edited = submit_today(alice, craving=3)
    with at(dt.datetime(2026, 3, 9, 0, 30, tzinfo=NEW_YORK)):
        next_day = submit_today(alice)

    assert edited.local_date == dt.date(2026, 3, 8)
    assert CheckIn.objects.get(local_date=dt.date(2026, 3, 8)).craving == 3
    assert next_day.local_date == dt.date(2026, 3, 9)


def test_it_treats_the_repeated_hour_when_the_clocks_go_back_as_one_day(alice: Patient) -> None:
    # 1 November 2026: 01:30 happens twice in New York (EDT, then EST).
    first = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert first.astimezone(NEW_YORK).hour == second.astimezone(NEW_YORK).hour == 1

    with at(first):
        submit_today(alice, craving=7)
    with at(second):
        changed = submit_today(alice, craving=4)

    assert CheckIn.objects.count() == 1
    assert (changed.local_date, changed.craving) == (dt.date(2026, 11, 1), 4)


def test_it_gives_patients_in_different_time_zones_their_own_day(
    alice: Patient, erin: Patient
) -> None:
    erin.timezone = "Europe/London"
    erin.save()
    moment = dt.datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 03:00 in London, 22:00 in New York

    with at(moment):
        in_new_york = submit_today(alice)
        in_london = submit_today(erin)

    assert in_new_york.local_date == dt.date(2026, 11, 27)
    assert in_london.local_date == dt.date(2026, 11, 28)


def test_it_marks_yesterdays_checkin_late_just_after_midnight(alice: Patient) -> None:
    with at(dt.datetime(2026, 11, 28, 0, 30, tzinfo=NEW_YORK)):
        checkin = submit_checkin(alice, answers(dt.date(2026, 11, 27)), key=uuid.uuid4()).checkin

    assert checkin.is_late
    assert checkin.is_editable(dt.date(2026, 11, 28))
    assert not checkin.is_editable(dt.date(2026, 11, 29))
