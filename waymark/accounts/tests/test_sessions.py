"""Sessions end: idle staff, the absolute limit, a new password, "sign out everywhere";
a forgotten password is reset by e-mail (issue 12 point 2)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import ApiToken, User
from waymark.accounts.services import issue_api_token
from waymark.conftest import PASSWORD
from waymark.notifications.models import Delivery, Kind, Notification
from waymark.organizations.models import Organization
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
NEW_PASSWORD = "a brand new passphrase 77"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    cache.clear()


def is_signed_out(client: Client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_it_ends_an_idle_staff_session_after_the_organizations_minutes(
    bob: User, northstar: Organization, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    northstar.staff_idle_minutes = 20
    northstar.save()
    client = client_for(bob)
    frozen.shift(dt.timedelta(minutes=19))
    assert (
        client.get(reverse("patients:caseload")).status_code == 200
    )  # activity: the clock restarts
    frozen.shift(dt.timedelta(minutes=19))
    assert client.get(reverse("patients:caseload")).status_code == 200
    frozen.shift(dt.timedelta(minutes=21))
    response = client.get(reverse("patients:caseload"))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "ended=idle" in response["Location"]
    assert is_signed_out(client, reverse("patients:caseload"))  # the session is gone


def test_it_answers_an_idle_staff_api_session_with_401(
    bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    client = client_for(bob)
    frozen.shift(dt.timedelta(minutes=31))
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_it_does_not_time_out_an_idle_patient(
    alice: Patient, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    client = client_for(alice.user)
    frozen.shift(dt.timedelta(hours=5))
    assert client.get(reverse("patients:me")).status_code == 200


def test_it_ends_a_busy_staff_session_at_the_absolute_limit(
    bob: User, client_for: ClientFor, frozen: time_machine.Traveller, settings: object
) -> None:
    client = client_for(bob)
    for _ in range(12 * 4 - 1):  # in use every 15 minutes for just under 12 hours
        frozen.shift(dt.timedelta(minutes=15))
        assert client.get(reverse("patients:caseload")).status_code == 200
    frozen.shift(dt.timedelta(minutes=16))
    response = client.get(reverse("patients:caseload"))
    assert "ended=expired" in response["Location"]


def test_it_signs_out_everywhere_from_one_browser(bob: User, client_for: ClientFor) -> None:
    tab_a, tab_b = client_for(bob), client_for(bob)
    _, secret = issue_api_token(bob, "Bob's phone")
    assert tab_a.post(reverse("accounts:sign_out_everywhere")).status_code == 302
    assert is_signed_out(tab_a, reverse("patients:caseload"))
    assert is_signed_out(tab_b, reverse("patients:caseload"))
    # Device tokens are not sessions: they stay until revoked on the Devices page.
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200


def test_it_ends_other_sessions_and_revokes_tokens_on_a_password_change(
    alice: Patient, client_for: ClientFor
) -> None:
    here, elsewhere = client_for(alice.user), client_for(alice.user)
    _, secret = issue_api_token(alice.user, "Phone")
    response = here.post(
        reverse("accounts:change_password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:account")
    assert here.get(reverse("patients:me")).status_code == 200  # this session goes on
    assert is_signed_out(elsewhere, reverse("patients:me"))
    assert not ApiToken.objects.active().filter(user=alice.user).exists()
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def ask_for_reset(client: Client, email: str) -> object:
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_it_answers_the_same_for_a_known_and_an_unknown_address(alice: Patient) -> None:
    known = ask_for_reset(Client(), "ALICE@example.org")
    unknown = ask_for_reset(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
    assert known.content == unknown.content  # type: ignore[attr-defined]
    assert Notification.objects.filter(kind=Kind.PASSWORD_RESET).count() == 1


def test_it_resets_a_password_through_the_delivery_queue_and_the_link_works_once(
    alice: Patient, client_for: ClientFor, run_tasks: Callable[[], None]
) -> None:
    elsewhere = client_for(alice.user)
    _, secret = issue_api_token(alice.user, "Phone")
    ask_for_reset(Client(), "alice@example.org")
    delivery = Delivery.objects.get(notification__recipient=alice.user)
    assert mail.outbox == []  # queued, not sent in the request
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    [message] = mail.outbox
    text = f"{message.subject} {message.body}"
    for private in ("Northstar", "Alice", "ketamine", "recovery", "treatment"):
        assert private.lower() not in text.lower()
    assert "the link works once, for 60 minutes" in message.body  # a reset: its minutes
    link = re.search(r"https?://\S+", message.body)
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    form_page = browser.get(f"/{path}", follow=True)
    assert form_page.status_code == 200 and b"new_password1" in form_page.content
    response = browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else f"/{path}",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password(NEW_PASSWORD)
    assert is_signed_out(elsewhere, reverse("patients:me"))
    assert not ApiToken.objects.active().filter(user=alice.user).exists()
    token_use = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert token_use.status_code == 401
    # The same link a second time: it has been used.
    again = Client().get(f"/{path}", follow=True)
    assert b"already been used" in again.content
    Client().post(f"/{path}", {"new_password1": "x" * 12, "new_password2": "x" * 12})
    alice.user.refresh_from_db()
    assert alice.user.check_password(NEW_PASSWORD)


def test_it_limits_reset_requests_for_one_address_known_or_not(alice: Patient) -> None:
    for email in ("alice@example.org", "nobody@example.org"):
        statuses = [ask_for_reset(Client(), email).status_code for _ in range(4)]  # type: ignore[attr-defined]
        assert statuses == [200, 200, 200, 429]
    assert Notification.objects.filter(kind=Kind.PASSWORD_RESET).count() == 3
