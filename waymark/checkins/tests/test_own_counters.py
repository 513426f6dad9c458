"""Counters the patient owns: start or stop one, correct its start date (not a lapse, kept
in a history), money kept; days with no check-in are unknown, never counted as without."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.checkins.models import CounterStartChange, SubstanceUse, TrackedSubstance
from waymark.checkins.services import submit_checkin
from waymark.checkins.sobriety import counters_for, known_days
from waymark.checkins.tests.conftest import Submit, answers
from waymark.conftest import NOW, TODAY
from waymark.organizations.models import Organization
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
START = dt.date(2026, 1, 1)


def _checked_in(patient: Patient, back: int, **overrides: object) -> None:
    """A check-in made on its own day, `back` days ago."""
    day = TODAY - dt.timedelta(days=back)
    submit_checkin(
        patient, answers(day, **overrides), key=uuid.uuid4(), now=NOW - dt.timedelta(days=back)
    )


def _by_substance(patient: Patient) -> dict[str, object]:
    return {counter.substance: counter for counter in counters_for(patient, TODAY)}


def test_it_splits_days_into_without_with_a_lapse_and_unknown() -> None:
    checkins = [START + dt.timedelta(days=n) for n in (1, 2, 5, 9)]
    known = known_days(START, checkins, [START + dt.timedelta(days=5)], START + dt.timedelta(10))

    assert (known.without, known.with_lapse, known.unknown) == (3, 1, 6)


def test_it_counts_nothing_before_the_start_or_after_today() -> None:
    before, after = START - dt.timedelta(days=3), START + dt.timedelta(days=30)

    known = known_days(START, [before, START, after], [before], START + dt.timedelta(days=4))

    assert (known.without, known.with_lapse, known.unknown) == (0, 0, 4)
    assert known_days(START, [], [], START) == known_days(START, [], [], START - dt.timedelta(1))


def test_it_never_counts_a_day_with_no_checkin_as_without(alice: Patient, submit: Submit) -> None:
    # Alice counts from 20 days ago; she checked in on 3 of those days, one with a lapse.
    for back in (1, 4, 10):
        _checked_in(alice, back)
    submit(alice, day=TODAY, uses=[("alcohol", "")])

    counters = counters_for(alice, TODAY)
    ketamine = next(c for c in counters if c.substance == "ketamine")
    alcohol = next(c for c in counters if c.substance == "alcohol")

    assert ketamine.days_since_last_use == 20  # time since the start, stated as time
    assert (ketamine.days_without, ketamine.days_unknown) == (4, 16)
    assert (alcohol.days_without, alcohol.days_unknown) == (3, 16)


def test_it_shows_days_without_and_unknown_on_the_recovery_page(
    alice: Patient, client_for: ClientFor, submit: Submit
) -> None:
    _checked_in(alice, 2)

    html = client_for(alice.user).get("/recovery/").content.decode()

    assert "1 day without, 19 days unknown" in html


def test_it_corrects_a_start_date_without_recording_a_lapse_and_keeps_the_history(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    first = TODAY - dt.timedelta(days=5)

    response = client.post("/recovery/counters/alcohol/", {"started_on": first.isoformat()})
    client.post("/recovery/counters/alcohol/", {"started_on": "2026-11-20"})

    assert response.status_code == 302
    assert response["Location"] == "/recovery/#counter-alcohol"
    assert _by_substance(alice)["alcohol"].started_on == dt.date(2026, 11, 20)  # type: ignore[attr-defined]
    assert _by_substance(alice)["ketamine"].started_on == TODAY - dt.timedelta(days=20)  # type: ignore[attr-defined]
    changes = list(CounterStartChange.objects.values_list("previous_start", "new_start"))
    assert changes == [(first, dt.date(2026, 11, 20)), (TODAY - dt.timedelta(days=20), first)]
    assert not SubstanceUse.objects.exists() and not Alert.objects.exists()
    html = client.get("/recovery/").content.decode()
    assert "Start date changes (2)" in html


def test_the_same_date_again_adds_no_history(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    for _ in range(2):
        client.post("/recovery/counters/alcohol/", {"started_on": "2026-11-20"})

    assert CounterStartChange.objects.count() == 1


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"started_on": "2026-11-28"}, "started_on", "Start date"),
        ({"started_on": "1990-01-01"}, "started_on", "date of birth"),
        ({"started_on": "soon"}, "started_on", "Start date: enter a date"),
        ({"started_on": ""}, "started_on", "Start date: enter the day"),
        ({"started_on": "2026-11-20", "amount_per_day": "-3"}, "amount_per_day", "Amount a day"),
        ({"started_on": "2026-11-20", "amount_per_day": "lots"}, "amount_per_day", "Amount a day"),
    ],
)
def test_it_refuses_a_bad_start_date_or_amount_naming_the_field(
    alice: Patient, client_for: ClientFor, posted: dict[str, str], field: str, message: str
) -> None:
    response = client_for(alice.user).post("/recovery/counters/alcohol/", posted)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field] and len(errors[field]) == 1
    assert message.lower() in errors[field][0].lower()
    assert not TrackedSubstance.objects.exists()


def test_the_future_is_the_patients_own_tomorrow(alice: Patient, client_for: ClientFor) -> None:
    # 3 pm in New York on TODAY: TODAY is allowed, tomorrow is not.
    client = client_for(alice.user)
    assert (
        client.post("/recovery/counters/alcohol/", {"started_on": "2026-11-27"}).status_code == 302
    )
    assert (
        client.post("/recovery/counters/alcohol/", {"started_on": "2026-11-28"}).status_code == 422
    )


def test_it_shows_money_kept_for_the_days_known_without_in_the_orgs_currency(
    alice: Patient, client_for: ClientFor, submit: Submit, northstar: Organization
) -> None:
    client = client_for(alice.user)
    client.post(
        "/recovery/counters/ketamine/",
        {"started_on": (TODAY - dt.timedelta(days=10)).isoformat(), "amount_per_day": "12.50"},
    )
    submit(alice, day=TODAY - dt.timedelta(days=1))
    submit(alice, day=TODAY)

    assert _by_substance(alice)["ketamine"].money_saved == Decimal("25.00")  # type: ignore[attr-defined]
    assert "$25.00" in client.get("/recovery/").content.decode()
    northstar.locale = "en-GB"
    northstar.save()
    assert "£25.00" in client.get("/recovery/").content.decode()


def test_it_starts_a_counter_for_a_new_substance_which_becomes_a_goal(
    alice: Patient, client_for: ClientFor, submit: Submit
) -> None:
    client = client_for(alice.user)
    page = client.get("/recovery/counters/add/").content.decode()
    assert 'value="tobacco"' in page and 'value="ketamine"' not in page

    response = client.post(
        "/recovery/counters/add/", {"substance": "tobacco", "started_on": "2026-11-25"}
    )

    assert response["Location"] == "/recovery/#counter-tobacco"
    alice.refresh_from_db()
    assert alice.substance_goals["tobacco"] == "abstinence" and "tobacco" in alice.substances
    submit(alice, uses=[("tobacco", "")])
    tobacco = _by_substance(alice)["tobacco"]
    assert tobacco.started_on == dt.date(2026, 11, 25) and tobacco.days_since_last_use == 0  # type: ignore[attr-defined]


def test_it_refuses_an_unknown_substance_naming_the_field(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).post(
        "/recovery/counters/add/", {"substance": "sugar", "started_on": "2026-11-25"}
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["substance"]


def test_it_stops_a_counter_once_and_can_start_it_again(
    alice: Patient, client_for: ClientFor, submit: Submit
) -> None:
    client = client_for(alice.user)
    submit(alice, uses=[("alcohol", "")])

    first = client.post("/recovery/counters/alcohol/stop/", follow=True)
    second = client.post("/recovery/counters/alcohol/stop/", follow=True)

    assert "stopped the alcohol counter" in first.content.decode()
    assert "stopped the alcohol counter" not in second.content.decode()
    assert "alcohol" not in _by_substance(alice)
    assert 'id="counter-alcohol"' not in client.get("/recovery/").content.decode()
    assert client.get("/recovery/counters/alcohol/").status_code == 404
    # The lapse is still a lapse for the chart and the care team's record.
    everyone = counters_for(alice, TODAY, only_tracked=False)
    assert [len(c.lapses) for c in everyone if c.substance == "alcohol"] == [1]
    assert 'value="alcohol"' in client.get("/recovery/counters/add/").content.decode()
    client.post("/recovery/counters/add/", {"substance": "alcohol", "started_on": "2026-11-26"})
    assert _by_substance(alice)["alcohol"].started_on == dt.date(2026, 11, 26)  # type: ignore[attr-defined]


def test_another_patients_counter_pages_are_their_own(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    client_for(dana.user).post("/recovery/counters/alcohol/", {"started_on": "2026-11-26"})

    assert TrackedSubstance.objects.get().patient == dana
    assert _by_substance(alice)["alcohol"].started_on == TODAY - dt.timedelta(days=20)  # type: ignore[attr-defined]


def test_it_answers_405_to_a_get_of_stop(alice: Patient, client_for: ClientFor) -> None:
    assert client_for(alice.user).get("/recovery/counters/alcohol/stop/").status_code == 405
