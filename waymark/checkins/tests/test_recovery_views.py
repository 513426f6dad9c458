"""The recovery page: counters per substance, lapses with notes, milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from waymark.accounts.models import User
from waymark.checkins.models import SubstanceUse
from waymark.checkins.tests.conftest import Submit, two_visits
from waymark.conftest import TODAY
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def test_it_shows_each_counter_with_runs_totals_and_the_next_milestone(
    alice: Patient, client_for: ClientFor, submit: Submit
) -> None:
    submit(alice, day=TODAY - dt.timedelta(days=1), uses=[("alcohol", "2 glasses of wine")])

    html = client_for(alice.user).get("/recovery/").content.decode()

    assert 'id="counter-ketamine"' in html and 'id="counter-alcohol"' in html
    assert "your last reported use on 26 Nov 2026" in html
    assert "<dt>Longest time between reported uses</dt><dd>18 days</dd>" in html
    # One check-in (the lapse's day); the other 19 days since 7 Nov are not known.
    assert "0 days without, 19 days unknown" in html
    assert "<dt>Next milestone</dt><dd>30 days on 7 Dec</dd>" in html
    assert "2 glasses of wine" in html
    assert "A lapse doesn't erase your progress" in html


def test_it_celebrates_new_milestones_once_and_lists_them(
    alice: Patient, client_for: ClientFor
) -> None:
    first, second = two_visits(client_for(alice.user), "/recovery/")

    assert '<section class="celebrate"' in first
    assert '<section class="celebrate"' not in second
    assert "2 weeks without ketamine — 21 Nov 2026" in second


def test_it_saves_a_note_on_a_lapse(alice: Patient, client_for: ClientFor, submit: Submit) -> None:
    use = submit(alice, uses=[("alcohol", "")]).checkin.uses.get()

    response = client_for(alice.user).post(
        f"/recovery/lapses/{use.pk}/note/", {"note": "  Felt lonely after work.  "}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/recovery/#lapse-{use.pk}"
    assert SubstanceUse.objects.get().note == "Felt lonely after work."


def test_it_refuses_an_overlong_lapse_note(
    alice: Patient, client_for: ClientFor, submit: Submit
) -> None:
    use = submit(alice, uses=[("alcohol", "")]).checkin.uses.get()

    response = client_for(alice.user).post(
        f"/recovery/lapses/{use.pk}/note/", {"note": "x" * 1001}, follow=True
    )

    assert "at most 1000 characters" in response.content.decode()
    assert SubstanceUse.objects.get().note == ""


def test_it_hides_another_patients_lapse(
    alice: Patient, dana: Patient, client_for: ClientFor, submit: Submit
) -> None:
    use = submit(alice, uses=[("alcohol", "")]).checkin.uses.get()

    response = client_for(dana.user).post(f"/recovery/lapses/{use.pk}/note/", {"note": "x"})

    assert response.status_code == 404
    assert SubstanceUse.objects.get().note == ""
