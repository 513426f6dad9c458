"""Staff sign in with a second factor: enrolment on first sign-in, codes, recovery codes,
an admin's reset of a lost authenticator (issue 12 point 1)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.accounts import mfa
from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.audit.models import AuditEvent, AuditObject
from waymark.conftest import PASSWORD
from waymark.patients.models import Patient
from waymark.testing.second_factor import enrolled_authenticator, totp_code

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def sign_in(user: User) -> Client:
    """The first step only: username and password, as the sign-in page takes them."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def code_for(device: TOTPDevice, frozen: time_machine.Traveller | None = None) -> str:
    return totp_code(mfa.secret_base32(device))


def enter(client: Client, code: str, next_url: str = "") -> Any:
    return client.post(reverse("accounts:verify"), {"code": code, "next": next_url})


def test_it_sends_a_clinician_without_an_authenticator_to_enrol_first(bob: User) -> None:
    client = sign_in(bob)
    response = client.get(reverse("patients:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:enrol"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert re.search(rb"<script(?![^>]*\bsrc=)", page.content) is None  # no inline script
    assert mfa.secret_base32(mfa.pending_authenticator(bob)).encode() in page.content


def test_it_enrols_with_a_code_gives_recovery_codes_and_opens_the_caseload(bob: User) -> None:
    client = sign_in(bob)
    client.get(reverse("accounts:enrol"))
    device = mfa.pending_authenticator(bob)
    next_url = reverse("patients:caseload")
    response = client.post(reverse("accounts:enrol"), {"code": code_for(device), "next": next_url})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(codes) == mfa.RECOVERY_CODE_COUNT
    assert set(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True)) == set(
        codes
    )
    assert mfa.authenticator(bob) == device
    assert client.get(next_url).status_code == 200


def test_it_refuses_a_wrong_enrolment_code_and_enrols_nothing(bob: User) -> None:
    client = sign_in(bob)
    client.get(reverse("accounts:enrol"))
    response = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert response.status_code == 422
    assert b"That code is not right" in response.content
    assert mfa.authenticator(bob) is None
    assert client.get(reverse("patients:caseload")).status_code == 302


def test_it_asks_an_enrolled_clinician_for_the_code_and_keeps_the_page_asked_for(
    bob: User,
) -> None:
    device = enrolled_authenticator(bob)
    client = sign_in(bob)
    response = client.get(reverse("patients:caseload"))
    assert response["Location"] == f"{reverse('accounts:verify')}?next=%2Fcaseload%2F"
    # An enrolled person cannot enrol a second authenticator to get around the code.
    assert client.get(reverse("accounts:enrol"))["Location"] == reverse("accounts:verify")
    response = enter(client, code_for(device), reverse("patients:caseload"))
    assert response["Location"] == reverse("patients:caseload")
    assert client.get(reverse("patients:caseload")).status_code == 200


def test_it_refuses_wrong_codes_twice_then_takes_the_right_one(
    bob: User, frozen: time_machine.Traveller
) -> None:
    device = enrolled_authenticator(bob)
    client = sign_in(bob)
    first = enter(client, "123456")
    assert first.status_code == 422 and b"That code is not right" in first.content
    frozen.shift(dt.timedelta(seconds=2))  # django-otp throttles: 1 s after one failure
    assert enter(client, "654321").status_code == 422
    # Straight away, even the right code waits (2 s after the second failure).
    throttled = enter(client, code_for(device))
    assert throttled.status_code == 429 and b"Too many wrong codes" in throttled.content
    assert client.get(reverse("patients:caseload")).status_code == 302
    frozen.shift(dt.timedelta(seconds=31))  # a new 30-second code, past the throttle
    assert enter(client, code_for(device)).status_code == 302
    assert client.get(reverse("patients:caseload")).status_code == 200


def test_it_takes_a_recovery_code_once(bob: User) -> None:
    enrolled_authenticator(bob)
    code = mfa.new_recovery_codes(bob)[0]
    first = sign_in(bob)
    assert enter(first, code).status_code == 302
    assert first.get(reverse("patients:caseload")).status_code == 200
    second = sign_in(bob)
    assert enter(second, code).status_code == 422
    assert second.get(reverse("patients:caseload")).status_code == 302


def test_it_keeps_an_unverified_staff_session_out_of_the_api(bob: User) -> None:
    enrolled_authenticator(bob)
    client = sign_in(bob)
    for response in (
        client.get("/api/v1/patients"),
        client.post("/api/v1/tokens", {"name": "Phone"}, content_type="application/json"),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert set(response.json()) == {"code", "message", "errors"}


def test_it_lets_a_staff_device_token_through_without_a_session(bob: User) -> None:
    _, secret = issue_api_token(bob, "Bob's phone")
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["role"] == "clinician"


def test_it_signs_a_patient_in_without_a_code_until_they_enrol(alice: Patient) -> None:
    client = sign_in(alice.user)
    assert client.get(reverse("patients:me")).status_code == 200
    device = enrolled_authenticator(alice.user)
    later = sign_in(alice.user)
    assert later.get(reverse("patients:me"))["Location"].startswith(reverse("accounts:verify"))
    assert enter(later, code_for(device)).status_code == 302
    assert later.get(reverse("patients:me")).status_code == 200


def test_it_lets_a_patient_enrol_from_the_account_page(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    assert b"Set up an authenticator" in client.get(reverse("accounts:account")).content
    client.get(reverse("accounts:enrol"))
    device = mfa.pending_authenticator(alice.user)
    assert client.post(reverse("accounts:enrol"), {"code": code_for(device)}).status_code == 200
    assert mfa.has_second_factor(alice.user)
    assert client.get(reverse("patients:me")).status_code == 200  # this session is verified


def test_it_lets_an_admin_reset_a_lost_authenticator_then_the_clinician_enrols_again(
    bob: User, olivia: User, client_for: ClientFor
) -> None:
    enrolled_authenticator(bob)
    mfa.new_recovery_codes(bob)
    bobs_session = client_for(bob)
    url = reverse("accounts:reset_second_factor", args=[bob.pk])
    admin = client_for(olivia)
    assert b"Reset Bob" in admin.get(url).content
    assert admin.post(url).status_code == 302
    assert not mfa.has_second_factor(bob)
    assert not StaticToken.objects.filter(device__user=bob).exists()
    event = AuditEvent.objects.get(object_type=AuditObject.SECOND_FACTOR_RESET)
    assert (event.actor, event.object_id, event.patient) == (olivia, str(bob.pk), None)
    # Bob's old session has ended; at his next sign-in he enrols again.
    assert bobs_session.get(reverse("patients:caseload"))["Location"].startswith(
        reverse("accounts:login")
    )
    again = sign_in(bob)
    assert again.get(reverse("patients:caseload"))["Location"].startswith(reverse("accounts:enrol"))
    again.get(reverse("accounts:enrol"))
    device = mfa.pending_authenticator(bob)
    assert again.post(reverse("accounts:enrol"), {"code": code_for(device)}).status_code == 200
    assert again.get(reverse("patients:caseload")).status_code == 200


def test_it_hides_another_organizations_staff_from_the_reset(
    carol: User, olivia: User, alice: Patient, client_for: ClientFor
) -> None:
    enrolled_authenticator(carol)
    admin = client_for(olivia)
    for user in (carol, alice.user):
        url = reverse("accounts:reset_second_factor", args=[user.pk])
        assert admin.get(url).status_code == 404
        assert admin.post(url).status_code == 404
    assert mfa.has_second_factor(carol)
    assert not AuditEvent.objects.filter(object_type=AuditObject.SECOND_FACTOR_RESET).exists()


def test_it_links_the_reset_from_the_admins_page_for_the_member(
    bob: User, olivia: User, client_for: ClientFor
) -> None:
    from waymark.organizations.models import Membership

    membership = Membership.objects.get(user=bob)
    page = client_for(olivia).get(
        reverse("admin:organizations_membership_change", args=[membership.pk])
    )
    assert page.status_code == 200
    assert reverse("accounts:reset_second_factor", args=[bob.pk]).encode() in page.content
