"""How long a set-password link works: an invitation (an account that has never had a
password) for INVITATION_DAYS, so a person who reads the e-mail the next evening can
still start; a password reset for PASSWORD_RESET_MINUTES. Either works once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.accounts.services import create_invited_user, invitation_link, password_reset_link
from waymark.conftest import PASSWORD

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.django_db]
CHOSEN = "lantern orchard thirty"


def opens(client: Client, link: str) -> bool:
    """Whether the link leads to the form for a new password (Django moves the token into
    the session and redirects to .../set-password/)."""
    first = client.get(link)
    if first.status_code != 302:
        return False
    page = client.get(first["Location"])
    return page.status_code == 200 and page.context["validlink"]


def test_it_keeps_an_invitation_open_for_days_and_then_closes_it(
    frozen: time_machine.Traveller,
) -> None:
    user = create_invited_user(username="newcomer", email="newcomer@example.org")
    link = invitation_link(user, "http://testserver")

    frozen.shift(dt.timedelta(days=settings.INVITATION_DAYS) - dt.timedelta(hours=1))
    assert opens(Client(), link)  # read the next week, still fine
    frozen.shift(dt.timedelta(hours=2))
    assert not opens(Client(), link)  # past its days: "Forgot your password?" sends a new one


def test_an_invitation_works_once(frozen: time_machine.Traveller) -> None:
    user = create_invited_user(username="newcomer", email="newcomer@example.org")
    link = invitation_link(user, "http://testserver")
    frozen.shift(dt.timedelta(days=2))
    client = Client()
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": CHOSEN, "new_password2": CHOSEN})
    assert done["Location"] == reverse("accounts:login")

    assert not opens(Client(), link)  # the second time: the password is set, the link is spent
    user.refresh_from_db()
    assert user.check_password(CHOSEN)


def test_a_password_reset_link_still_lasts_only_its_minutes(
    frozen: time_machine.Traveller, bob: User
) -> None:
    assert bob.check_password(PASSWORD)
    link = password_reset_link(bob, "http://testserver")
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60

    frozen.shift(dt.timedelta(minutes=minutes - 1))
    assert opens(Client(), link)
    frozen.shift(dt.timedelta(minutes=2))
    assert not opens(Client(), link)  # an account with a password: minutes, not days


def test_a_closed_account_gets_no_days_long_link(frozen: time_machine.Traveller) -> None:
    user = create_invited_user(username="newcomer", email="newcomer@example.org")
    link = invitation_link(user, "http://testserver")
    User.objects.filter(pk=user.pk).update(is_active=False)
    frozen.shift(dt.timedelta(hours=2))
    assert not opens(Client(), link)
