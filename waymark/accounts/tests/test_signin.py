"""Signing in, the home page that routes by role, and how passwords are kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from waymark import settings as waymark_settings
from waymark.accounts.models import User
from waymark.accounts.services import create_invited_user, invitation_link
from waymark.conftest import PASSWORD
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.django_db


@pytest.fixture
def real_hashers(settings: Any) -> list[str]:
    """The hashers the project configures (conftest swaps in a fast one for other tests)."""
    settings.PASSWORD_HASHERS = waymark_settings.PASSWORD_HASHERS
    return list(settings.PASSWORD_HASHERS)


def sign_in(client: Client, username: str, password: str, next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def test_it_signs_in_with_username_and_password(client: Client, alice: Patient) -> None:
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(alice.user.pk)


def test_it_shows_an_error_for_a_wrong_password(client: Client, alice: Patient) -> None:
    response = sign_in(client, "alice", "not the password at all")
    assert response.status_code == 200
    assert response.content.decode().count("Please enter a correct username and password") == 1
    assert SESSION_KEY not in client.session


def test_it_follows_a_local_next_but_not_another_site(client: Client, bob: User) -> None:
    assert sign_in(client, "bob", PASSWORD, "/caseload/")["Location"] == "/caseload/"
    other = Client()
    assert sign_in(other, "bob", PASSWORD, "https://evil.example/")["Location"] == reverse("home")


def test_it_signs_out_on_post(client_for: ClientFor, bob: User) -> None:
    client = client_for(bob)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("persona", "destination"),
    [
        ("alice", "patients:me"),
        ("dana", "patients:me"),
        ("bob", "patients:caseload"),
        ("carol", "patients:caseload"),
        ("olivia", "admin:index"),
    ],
)
def test_it_sends_each_role_home(
    client_as: Callable[[str], Client], persona: str, destination: str
) -> None:
    response = client_as(persona).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(destination)


def test_it_welcomes_a_supporter(client_for: ClientFor, sam: User) -> None:
    response = client_for(sam).get(reverse("home"), follow=True)
    assert response.redirect_chain == [(reverse("support:home"), 302)]
    assert "Thank you for supporting someone in their recovery." in response.content.decode()


def test_it_tells_someone_without_an_organization_to_ask_for_access(
    client_for: ClientFor,
) -> None:
    loner = User.objects.create_user("loner", password=PASSWORD)
    response = client_for(loner).get(reverse("home"))
    assert response.status_code == 200
    assert "not part of an organization yet" in response.content.decode()


def test_it_sends_an_operator_without_an_organization_to_the_admin(
    client_for: ClientFor,
) -> None:
    operator = User.objects.create_superuser("operator", password=PASSWORD)
    assert client_for(operator).get(reverse("home"))["Location"] == reverse("admin:index")


def test_it_asks_an_anonymous_visitor_to_sign_in(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_it_hashes_passwords_with_argon2(real_hashers: list[str], bob: User) -> None:
    assert real_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    bob.refresh_from_db()
    assert bob.password.startswith("argon2$argon2id$")
    assert PASSWORD not in bob.password


def test_it_upgrades_an_older_hash_to_argon2_on_sign_in(
    real_hashers: list[str], client: Client, bob: User
) -> None:
    User.objects.filter(pk=bob.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    bob.refresh_from_db()
    assert bob.password.startswith("argon2")


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("password123", {"password_too_common"}),
        ("short", {"password_too_short"}),
        ("4815162342", {"password_entirely_numeric", "password_too_common"}),
    ],
)
def test_it_refuses_weak_passwords(password: str, codes: set[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert {error.code for error in caught.value.error_list} == codes


def test_it_accepts_a_long_uncommon_passphrase() -> None:
    validate_password("lantern orchard thirty")  # raises if refused


def test_it_requires_ten_characters() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("Zq8#vL2!x")  # nine characters, otherwise strong
    assert [error.code for error in caught.value.error_list] == ["password_too_short"]


def test_it_lets_an_invited_person_choose_a_password_but_not_a_weak_one(
    real_hashers: list[str], client: Client
) -> None:
    user = create_invited_user(username="newcomer", email="newcomer@example.org")
    assert not user.has_usable_password()
    form_url = client.get(invitation_link(user, "http://testserver"))["Location"]

    weak = client.post(form_url, {"new_password1": "password123", "new_password2": "password123"})
    assert weak.status_code == 200
    assert "This password is too common." in weak.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()

    chosen = "lantern orchard thirty"
    done = client.post(form_url, {"new_password1": chosen, "new_password2": chosen})
    assert done["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(chosen)
    assert user.password.startswith("argon2")


def wrong_passwords(client: Client, times: int) -> None:
    """Alice's username with a wrong password, `times` times."""
    for _ in range(times):
        sign_in(client, "alice", "not my password")


@pytest.fixture
def three_tries(settings: Any) -> None:
    """Sign-in pauses after three wrong passwords in a row."""
    settings.AXES_FAILURE_LIMIT = 3


@pytest.mark.usefixtures("three_tries")
def test_it_pauses_sign_in_after_repeated_wrong_passwords(client: Client, alice: Patient) -> None:
    wrong_passwords(client, 3)
    locked = sign_in(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert SESSION_KEY not in client.session
    # Another person signing in from the same place is not affected.
    assert sign_in(client, "bob", PASSWORD).status_code in {200, 302}


@pytest.mark.usefixtures("three_tries")
def test_it_forgets_earlier_mistakes_after_a_successful_sign_in(
    client: Client, alice: Patient
) -> None:
    wrong_passwords(client, 2)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    wrong_passwords(client, 2)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
