"""The check-in pages without JavaScript: the form, its result, crisis help, bad input."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.checkins.choices import SAFETY_QUESTION
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.checkins.tests.conftest import Submit, form_data
from waymark.conftest import TODAY
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
YESTERDAY = TODAY - dt.timedelta(days=1)
URL = "/checkin/"
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def client(alice: Patient, client_for: ClientFor) -> Client:
    return client_for(alice.user)


def is_checked(html: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input[^>]*name="{name}" value="{value}"[^>]*checked', html))


def hidden_key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def test_it_is_the_nav_target_and_renders_every_question(client: Client) -> None:
    assert reverse("checkins:today") == URL

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    uuid.UUID(hidden_key(html))
    assert f'name="date" value="{TODAY.isoformat()}"' in html
    for question in ("Craving", "Mood", "Hours of sleep", "How well did you sleep", "Stress"):
        assert question in html
    for name in ("use_ketamine", "use_alcohol", "use_tobacco", "use_opioids", "amount_ketamine"):
        assert f'name="{name}"' in html
    for choice in ("Lonely", "Regular meals", "SMART Recovery", "Blood in the urine"):
        assert choice in html
    assert SAFETY_QUESTION in html
    assert 'maxlength="2000"' in html
    assert "Get help now" in html  # help one tap away: the page extends base.html


def test_it_carries_crisis_help_to_show_at_once_if_a_yes_is_kept_offline(
    client: Client,
) -> None:
    html = client.get(URL).content.decode()

    hidden = html[html.index('id="offline-crisis"') : html.index("</section>")]
    assert "hidden" in html[html.index('<section class="crisis" id="offline-crisis"') :][:80]
    assert 'href="tel:911"' in hidden
    assert 'href="tel:988"' in hidden
    assert "phone calls work without internet" in hidden


def test_it_generates_a_new_key_each_time_the_form_is_shown(client: Client) -> None:
    assert hidden_key(client.get(URL).content.decode()) != hidden_key(
        client.get(URL).content.decode()
    )


def test_it_saves_a_plain_form_post_and_shows_the_result(alice: Patient, client: Client) -> None:
    data = form_data(
        craving="6",
        use_ketamine="on",
        amount_ketamine="a small bump",
        triggers=["lonely", "tired"],
        habits=["exercise"],
        meetings=["smart"],
        note="Rough evening.",
    )

    response = client.post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == f"/checkin/{TODAY.isoformat()}/"
    checkin = CheckIn.objects.get(patient=alice)
    assert (checkin.craving, checkin.triggers, checkin.meetings) == (
        6,
        ["lonely", "tired"],
        ["smart"],
    )
    assert checkin.note == "Rough evening."
    assert SubstanceUse.objects.get().amount == "a small bump"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for checking in" in page
    assert "A lapse doesn't wipe out your progress" in page


def test_it_stores_a_double_submission_once(alice: Patient, client: Client) -> None:
    data = form_data()

    first = client.post(URL, data)
    second = client.post(URL, data)

    assert first.status_code == second.status_code == 302
    assert CheckIn.objects.count() == 1


def test_it_refuses_a_resent_form_with_changed_answers_and_keeps_them(
    alice: Patient, client: Client
) -> None:
    data = form_data(craving="2")
    client.post(URL, data)

    response = client.post(URL, {**data, "craving": "8"})

    html = response.content.decode()
    assert response.status_code == 422  # an invalid form answers 422 everywhere
    assert "differ from the ones you sent before" in html
    assert hidden_key(html) != data["idempotency_key"]
    assert is_checked(html, "craving", "8")
    assert CheckIn.objects.get().craving == 2


def test_it_shows_crisis_help_at_once_after_a_safety_answer(
    alice: Patient, bob: User, client: Client
) -> None:
    response = client.post(URL, form_data(safety="yes"), follow=True)

    html = response.content.decode()
    assert "You don't have to carry this alone" in html
    assert 'href="tel:911"' in html
    assert "988 Suicide &amp; Crisis Lifeline" in html
    assert 'href="tel:1-800-662-4357"' in html
    assert "bob@example.org" in html  # care team contact
    alert = Alert.objects.get(patient=alice)
    assert (alert.rule_id, alert.severity) == ("checkin.safety", Severity.URGENT)


def test_it_shows_no_crisis_panel_on_a_calm_day(client: Client) -> None:
    html = client.post(URL, form_data(), follow=True).content.decode()

    assert "You don't have to carry this alone" not in html


def test_it_advises_a_medical_review_for_ketamine_symptoms(alice: Patient, client: Client) -> None:
    html = client.post(URL, form_data(symptoms=["bladder_pain"]), follow=True).content.decode()

    assert "Please get these symptoms checked" in html
    assert "medical review" in html
    assert Alert.objects.get(patient=alice).rule_id == "checkin.ketamine_symptoms"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"craving": "11"}, "craving", "Craving: please choose one of the options"),
        ({"stress": "-1"}, "stress", "Stress: please choose one of the options"),
        ({"mood": ""}, "mood", "Please choose one"),
        ({"sleep_hours": "25"}, "sleep_hours", "Hours of sleep: enter a number from 0 to 24"),
        ({"sleep_hours": "9999"}, "sleep_hours", "Hours of sleep: enter a number from 0 to 24"),
        ({"sleep_hours": "7.25"}, "sleep_hours", "Hours of sleep: enter a number from 0 to 24"),
        ({"sleep_hours": "lots"}, "sleep_hours", "Hours of sleep: enter a number from 0 to 24"),
        ({"sleep_hours": ""}, "sleep_hours", "Hours of sleep: enter a number from 0 to 24"),
        ({"safety": ""}, "safety", "Please answer this question"),
        ({"note": "x" * 1_000_000}, "note", "at most 2000 characters"),
        ({"triggers": ["glitter"]}, "triggers", "Please choose from the options shown"),
        ({"use_alcohol": "on", "amount_alcohol": "y" * 101}, "amount_alcohol", "at most 100"),
    ],
)
def test_it_names_the_field_at_fault_and_saves_nothing(
    client: Client, change: dict[str, object], field: str, message: str
) -> None:
    response = client.post(URL, form_data(**change))

    assert response.status_code == 422  # an invalid form answers 422 everywhere
    errors = response.context["form"].errors
    assert errors[field] == [errors[field][0]], "one message per field, never a stack"
    assert message in errors[field][0]
    assert not CheckIn.objects.exists()


def test_it_refuses_a_future_date_with_a_message(client: Client) -> None:
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()

    response = client.post(URL, form_data(date=tomorrow))

    assert "has not started yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_it_asks_to_send_again_when_the_key_is_missing(client: Client) -> None:
    response = client.post(URL, form_data(idempotency_key=""))

    assert "This form has expired" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_it_shows_todays_answers_to_change_until_midnight(
    alice: Patient, client: Client, submit: Submit
) -> None:
    submit(alice, craving=7, uses=[("alcohol", "3 beers")])

    html = client.get(URL).content.decode()

    assert "You checked in at 15:00" in html
    assert "until midnight" in html
    assert is_checked(html, "craving", "7")
    assert 'value="3 beers"' in html
    assert "Save changes" in html


def test_it_lets_yesterday_be_filled_in_late(alice: Patient, client: Client) -> None:
    page = client.get(f"{URL}?date={YESTERDAY.isoformat()}").content.decode()
    assert "Yesterday's check-in" in page
    assert "marked as filled in late" in page

    response = client.post(URL, form_data(day=YESTERDAY), follow=True)

    assert CheckIn.objects.get().is_late
    assert "filled in late" in response.content.decode()


def test_it_shows_a_closed_day_instead_of_its_form(
    alice: Patient, client: Client, submit: Submit, frozen: object
) -> None:
    frozen.move_to(dt.datetime.combine(YESTERDAY, dt.time(20), dt.UTC))  # type: ignore[attr-defined]
    submit(alice, day=YESTERDAY)
    frozen.move_to(dt.datetime.combine(TODAY, dt.time(15), dt.UTC))  # type: ignore[attr-defined]

    response = client.get(f"{URL}?date={YESTERDAY.isoformat()}")

    assert response.status_code == 302
    assert response["Location"] == f"/checkin/{YESTERDAY.isoformat()}/"


def test_it_answers_404_for_a_day_without_a_checkin(client: Client) -> None:
    assert client.get(f"/checkin/{YESTERDAY.isoformat()}/").status_code == 404
    assert client.get("/checkin/not-a-day/").status_code == 404


def test_it_keeps_staff_out(bob: User, client_for: ClientFor) -> None:
    response = client_for(bob).post(URL, form_data())

    assert response.status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("page", ["/checkin/", "/recovery/", "/withdrawal/", "today's result"])
def test_it_keeps_help_one_tap_away_on_every_page(
    alice: Patient, client: Client, submit: Submit, page: str
) -> None:
    submit(alice)
    url = f"/checkin/{TODAY.isoformat()}/" if page == "today's result" else page

    html = client.get(url).content.decode()

    assert '<a class="help-now" href="/help/">Get help now</a>' in html
