"""The "Apps and devices" page: create a device token (secret shown once) and revoke one."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import ApiToken, User, hash_token
from waymark.accounts.services import issue_api_token
from waymark.patients.models import Patient
from waymark.testing.second_factor import verify_session

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.django_db

SECRET = re.compile(r'id="new-token">(wmk_[A-Za-z0-9_-]+)<')


def test_it_names_the_page_in_plain_words_for_a_patient(
    client_for: ClientFor, alice: Patient
) -> None:
    # issue 15 point 5: no "Devices" about API tokens on the patient's pages.
    client = client_for(alice.user)
    home = client.get(reverse("patients:me")).content.decode()
    assert f'<a href="{reverse("accounts:tokens")}">Apps and devices</a>' in home
    assert ">Devices<" not in home
    issue_api_token(alice.user, "Alice's phone")
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "<h1>Apps and devices</h1>" in page
    assert "Apps you have signed in to Waymark with. Remove one you no longer use." in page
    assert ">Remove</button>" in page and "token" not in page.lower().replace(
        "csrfmiddlewaretoken", ""
    ).replace("new-token", "")


def test_it_lists_my_devices_and_not_anyone_elses(
    client_for: ClientFor, bob: User, carol: User
) -> None:
    issue_api_token(bob, "Bob's phone")
    issue_api_token(carol, "Carol's laptop")
    response = client_for(bob).get(reverse("accounts:tokens"))
    assert response.status_code == 200
    assert [token.name for token in response.context["tokens"]] == ["Bob's phone"]
    assert "Carol&#x27;s laptop" not in response.content.decode()
    assert response.context["new_secret"] is None


def test_it_creates_a_token_and_shows_the_secret_once(client_for: ClientFor, bob: User) -> None:
    client = client_for(bob)
    response = client.post(reverse("accounts:tokens"), {"name": "  My   phone "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"], "the secret must not be cached"
    [secret] = SECRET.findall(response.content.decode())
    token = ApiToken.objects.get(user=bob)
    assert token.name == "My phone"
    assert token.token_hash == hash_token(secret)
    assert (
        Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["username"]
        == "bob"
    )
    # Shown once: the page never shows it again.
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in again
    assert token.hint in again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "n" * 81}, "Ensure this value has at most 80 characters (it has 81)."),
    ],
)
def test_it_refuses_a_bad_device_name(
    client_for: ClientFor, bob: User, data: dict[str, str], message: str
) -> None:
    response = client_for(bob).post(reverse("accounts:tokens"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [message]}
    assert response.context["new_secret"] is None
    assert not ApiToken.objects.exists()


def test_it_asks_an_anonymous_visitor_to_sign_in(client: Client) -> None:
    response = client.post(reverse("accounts:tokens"), {"name": "Phone"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ApiToken.objects.exists()


def test_it_refuses_put_on_the_devices_page(client_for: ClientFor, bob: User) -> None:
    assert client_for(bob).put(reverse("accounts:tokens")).status_code == 405


def test_it_refuses_a_device_form_without_the_csrf_token(bob: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    verify_session(client, bob)
    assert client.post(reverse("accounts:tokens"), {"name": "Phone"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_revokes_my_token(client_for: ClientFor, bob: User) -> None:
    token, secret = issue_api_token(bob, "Lost phone")
    client = client_for(bob)
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(reverse("accounts:tokens"), 302)]
    assert "“Lost phone” can no longer use your account." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    ).status_code == (401)


def test_it_does_not_revoke_another_users_token(
    client_for: ClientFor, bob: User, carol: User
) -> None:
    carols, _ = issue_api_token(carol, "Carol's phone")
    response = client_for(bob).post(reverse("accounts:revoke_token", args=[carols.pk]))
    assert response.status_code == 404
    carols.refresh_from_db()
    assert carols.revoked_at is None


def test_it_refuses_get_on_revoke(client_for: ClientFor, bob: User) -> None:
    token, _ = issue_api_token(bob, "Phone")
    response = client_for(bob).get(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
