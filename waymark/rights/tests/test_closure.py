"""An organization admin closes an account: sign-in and devices stop, the patient leaves
the caseload, the record stays. Only the patient's own organization's admins may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import ApiToken, User
from waymark.accounts.services import issue_api_token
from waymark.audit.models import AuditObject
from waymark.conftest import PASSWORD
from waymark.organizations.models import Membership
from waymark.patients.models import Patient
from waymark.rights.models import AccountClosure
from waymark.testing.audit import audited

ClientFor = Callable[[User | None], Client]


def close(client: Client, patient: Patient) -> int:
    return client.post(reverse("rights:close", args=[patient.pk])).status_code


def test_it_stops_sign_in_sessions_and_tokens(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    _, secret = issue_api_token(alice.user, "Alice's phone")
    signed_in = client_for(alice.user)
    assert signed_in.get(reverse("patients:me")).status_code == 200
    assert close(client_for(olivia), alice) == 302
    alice.user.refresh_from_db()
    assert not alice.user.is_active
    assert not Membership.objects.get(user=alice.user).is_active
    assert not ApiToken.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    assert signed_in.get(reverse("patients:me")).status_code == 302, "the session ended"
    api = Client().get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    sign_in = Client().post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert sign_in.status_code != 302, "the right password no longer signs in"


def test_it_takes_the_patient_off_the_caseload_but_keeps_the_record(
    alice: Patient, bob: User, olivia: User, client_for: ClientFor
) -> None:
    clinician = client_for(bob)
    assert "Alice" in clinician.get(reverse("patients:caseload") + "?show=all").content.decode()
    close(client_for(olivia), alice)
    assert "Alice" not in clinician.get(reverse("patients:caseload") + "?show=all").content.decode()
    listed = clinician.get("/api/v1/patients").json()
    assert str(alice.pk) not in str(listed)
    assert clinician.get(reverse("patients:detail", args=[alice.pk])).status_code == 200


def test_it_is_audited_and_refused_twice(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    admin = client_for(olivia)
    close(admin, alice)
    assert audited(
        patient=alice, actor=olivia, object_type=AuditObject.ACCOUNT_CLOSURE, action="update"
    )
    response = admin.post(reverse("rights:close", args=[alice.pk]))
    assert response.status_code == 409
    assert "already closed" in response.content.decode()
    assert AccountClosure.objects.filter(patient=alice).count() == 1


def test_it_shows_the_admin_when_the_record_may_be_erased(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    admin = client_for(olivia)
    assert (
        "Close the account" in admin.get(reverse("rights:manage", args=[alice.pk])).content.decode()
    )
    close(admin, alice)
    page = admin.get(reverse("rights:manage", args=[alice.pk]))
    assert "no-store" in page["Cache-Control"]
    assert "kept until 27 November 2036" in page.content.decode()


def test_it_answers_404_to_another_organizations_admin(
    alice: Patient, hana: User, client_for: ClientFor
) -> None:
    other = client_for(hana)
    for name in ("rights:manage",):
        assert other.get(reverse(name, args=[alice.pk])).status_code == 404
    for name in ("rights:close", "rights:legal_hold", "rights:erase"):
        assert other.post(reverse(name, args=[alice.pk]), {"confirm": "on"}).status_code == 404
    assert not AccountClosure.objects.exists()


@pytest.mark.parametrize(
    "name", ["rights:manage", "rights:close", "rights:legal_hold", "rights:erase"]
)
def test_it_refuses_clinicians_and_patients(
    name: str, alice: Patient, bob: User, client_for: ClientFor
) -> None:
    for user in (bob, alice.user):
        client = client_for(user)
        call = client.get if name == "rights:manage" else client.post
        assert call(reverse(name, args=[alice.pk])).status_code == 403
    assert not AccountClosure.objects.exists()


@pytest.mark.parametrize("name", ["rights:close", "rights:legal_hold", "rights:erase"])
def test_it_refuses_get_on_the_forms(
    name: str, alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    assert client_for(olivia).get(reverse(name, args=[alice.pk])).status_code == 405
