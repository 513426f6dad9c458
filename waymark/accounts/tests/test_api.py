"""The JSON API at /api/v1/: who am I, device tokens, and the patients list."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import ApiToken, User
from waymark.accounts.services import issue_api_token
from waymark.audit.models import AuditEvent
from waymark.conftest import persona_user
from waymark.organizations.models import Membership, Organization, Role
from waymark.organizations.services import add_member
from waymark.patients.models import Patient
from waymark.testing.second_factor import verify_session

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def csrf_client(user: User) -> Client:
    """A browser: signed in, CSRF enforced, holding the csrftoken cookie from a page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    verify_session(client, user)
    assert client.get(reverse("accounts:tokens")).status_code == 200
    return client


def csrf_header(client: Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


# --- /api/v1/me ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "role", "organization"),
    [
        ("alice", "patient", "northstar"),
        ("dana", "patient", "northstar"),
        ("bob", "clinician", "northstar"),
        ("olivia", "admin", "northstar"),
        ("sam", "supporter", "northstar"),
        ("carol", "clinician", "harbour"),
        ("erin", "patient", "harbour"),
    ],
)
def test_it_tells_each_persona_their_role_and_organization(
    client_as: Callable[[str], Client], persona: str, role: str, organization: str
) -> None:
    response = client_as(persona).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"], body["organization"]["slug"]) == (
        persona,
        role,
        organization,
    )
    assert set(body["organization"]) == {"id", "name", "slug", "locale", "timezone"}


def test_it_says_no_organization_for_a_user_without_membership(client_for: ClientFor) -> None:
    loner = User.objects.create_user("loner", password="x" * 20)
    response = client_for(loner).get("/api/v1/me")
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["organization"]) == ("none", None)


def test_it_refuses_me_to_an_anonymous_caller(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert set(response.json()) == {"code", "message", "errors"}


def test_it_publishes_an_openapi_schema_with_both_ways_to_sign_in(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/patients"} <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert schemes["DeviceTokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


# --- Device tokens ------------------------------------------------------------------


def test_it_refuses_to_create_a_token_without_the_csrf_token(bob: User) -> None:
    client = csrf_client(bob)
    response = post_json(client, "/api/v1/tokens", {"name": "Phone"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_it_creates_a_token_from_a_browser_session_and_shows_the_secret_once(bob: User) -> None:
    client = csrf_client(bob)
    response = post_json(client, "/api/v1/tokens", {"name": "  My   phone "}, **csrf_header(client))
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == bob
    assert (body["name"], token.name) == ("My phone", "My phone")
    assert body["token"].startswith("wmk_")
    assert body["hint"] == body["token"][:8] == token.hint
    # The secret is never listed again.
    listed = client.get("/api/v1/tokens").json()
    assert [item["id"] for item in listed] == [token.pk]
    assert "token" not in listed[0]
    assert body["token"] not in client.get(reverse("accounts:tokens")).content.decode()


def test_it_stores_only_the_hash_of_the_secret(bob: User) -> None:
    client = csrf_client(bob)
    secret = post_json(client, "/api/v1/tokens", {"name": "Tablet"}, **csrf_header(client)).json()[
        "token"
    ]
    row = ApiToken.objects.values().get()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())


def test_it_accepts_the_secret_as_a_bearer_token(bob: User) -> None:
    _, secret = issue_api_token(bob, "Phone")
    response = Client().get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["role"]) == ("bob", "clinician")


@pytest.mark.parametrize(
    ("persona", "role"),
    [("alice", "patient"), ("bob", "clinician"), ("olivia", "admin"), ("sam", "supporter")],
)
def test_it_signs_every_role_in_with_a_device_token_in_one_query(
    request: pytest.FixtureRequest, persona: str, role: str
) -> None:
    _, secret = issue_api_token(persona_user(request, persona), "Phone")
    client = Client()
    client.get("/api/v1/me", headers=bearer(secret))  # the first use also stamps last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["organization"]["slug"]) == (
        role,
        "northstar",
    )
    assert len(captured) == 1, [query["sql"] for query in captured.captured_queries]


def test_it_acts_under_the_oldest_active_membership_with_a_device_token(
    bob: User, harbour: Organization
) -> None:
    """The token's one query chooses the membership that `current_membership` chooses."""
    later = add_member(harbour, bob, Role.ADMIN)
    Membership.objects.filter(pk=later.pk).update(created_at=timezone.now() + dt.timedelta(days=1))
    _, secret = issue_api_token(bob, "Phone")

    def me() -> tuple[str, str]:
        body = Client().get("/api/v1/me", headers=bearer(secret)).json()
        return body["role"], body["organization"]["slug"]

    assert me() == ("clinician", "northstar")
    Membership.objects.filter(user=bob, organization__slug="northstar").update(is_active=False)
    assert me() == ("admin", "harbour")


@pytest.mark.parametrize("header", ["Bearer wmk_not-a-real-token", "Token {secret}", "{secret}"])
def test_it_refuses_a_wrong_or_malformed_bearer_token(bob: User, header: str) -> None:
    _, secret = issue_api_token(bob, "Phone")
    response = Client().get("/api/v1/me", headers={"Authorization": header.format(secret=secret)})
    assert response.status_code == 401


def test_it_records_when_a_token_was_last_used(bob: User) -> None:
    token, secret = issue_api_token(bob, "Phone")
    assert token.last_used_at is None
    before = timezone.now()
    Client().get("/api/v1/me", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before

    # An old last use is brought up to date.
    stale = timezone.now() - dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    Client().get("/api/v1/me", headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > stale + dt.timedelta(minutes=59)


def test_it_refuses_a_revoked_token(bob: User) -> None:
    token, secret = issue_api_token(bob, "Lost phone")
    client = csrf_client(bob)
    response = client.delete(f"/api/v1/tokens/{token.pk}", headers=csrf_header(client))
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(bob: User) -> None:
    _, secret = issue_api_token(bob, "Phone")
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_it_lets_a_device_revoke_its_own_token_with_the_bearer_token(bob: User) -> None:
    """A device has no session and no CSRF cookie; DELETE must still work for it."""
    token, secret = issue_api_token(bob, "Phone")
    device = Client(enforce_csrf_checks=True)
    response = device.delete(f"/api/v1/tokens/{token.pk}", headers=bearer(secret))
    assert response.status_code == 204
    assert device.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_it_does_not_revoke_another_users_token(bob: User, carol: User) -> None:
    carols_token, carols_secret = issue_api_token(carol, "Carol's phone")
    client = csrf_client(bob)
    response = client.delete(f"/api/v1/tokens/{carols_token.pk}", headers=csrf_header(client))
    assert response.status_code == 404
    _, bobs_secret = issue_api_token(bob, "Phone")
    response = Client().delete(f"/api/v1/tokens/{carols_token.pk}", headers=bearer(bobs_secret))
    assert response.status_code == 404
    carols_token.refresh_from_db()
    assert carols_token.revoked_at is None
    assert Client().get("/api/v1/me", headers=bearer(carols_secret)).status_code == 200


def test_it_refuses_the_revoke_of_a_session_without_the_csrf_token(bob: User) -> None:
    token, _ = issue_api_token(bob, "Phone")
    response = csrf_client(bob).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_creates_tokens_only_from_a_browser_session(bob: User) -> None:
    """A stolen device token must not mint more tokens."""
    _, secret = issue_api_token(bob, "Phone")
    device = Client(enforce_csrf_checks=True)
    response = post_json(device, "/api/v1/tokens", {"name": "More"}, **bearer(secret))
    assert response.status_code == 403
    # Even with a CSRF cookie and header of its own making, a bearer is not a session.
    device.cookies["csrftoken"] = "a" * 32
    response = post_json(
        device, "/api/v1/tokens", {"name": "More"}, **bearer(secret), **{"X-CSRFToken": "a" * 32}
    )
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"name": ""}, "Give the device a name."),
        ({"name": "   "}, "Give the device a name."),
        ({"name": "n" * 200}, "at most"),
        ({}, "required"),
        ({"name": 42}, "valid string"),
    ],
)
def test_it_refuses_a_bad_token_name_and_names_the_field(
    bob: User, payload: dict[str, Any], words: str
) -> None:
    client = csrf_client(bob)
    response = post_json(client, "/api/v1/tokens", payload, **csrf_header(client))
    assert response.status_code == 422
    [(field, [message])] = response.json()["errors"].items()
    assert field == "name"
    assert words in message
    assert not ApiToken.objects.exists()


# --- Patients ---------------------------------------------------------------------


def test_it_lists_only_the_clinicians_organization_and_audits_each_patient(
    client_for: ClientFor, bob: User, alice: Patient, dana: Patient, erin: Patient
) -> None:
    response = client_for(bob).get("/api/v1/patients", headers={"X-Request-ID": "req-list-0001"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [str(alice.pk), str(dana.pk)]
    assert body["items"][0]["current_program"] == "Residential treatment"
    events = AuditEvent.objects.filter(actor=bob)
    ours, theirs = response["X-Request-ID"], "req-list-0001"  # the server's id, the client's
    assert sorted((e.patient_id, e.action, e.request_id, e.client_request_id) for e in events) == (
        sorted([(alice.pk, "list", ours, theirs), (dana.pk, "list", ours, theirs)])
    )
    assert not AuditEvent.objects.filter(patient=erin).exists()


def test_it_lists_patients_for_an_organization_admin(
    client_for: ClientFor, olivia: User, alice: Patient, dana: Patient, erin: Patient
) -> None:
    response = client_for(olivia).get("/api/v1/patients")
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {str(alice.pk), str(dana.pk)}


def test_it_lists_patients_with_a_device_token(bob: User, alice: Patient, dana: Patient) -> None:
    _, secret = issue_api_token(bob, "Work tablet")
    response = Client().get("/api/v1/patients", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert AuditEvent.objects.filter(actor=bob, action="list").count() == 2


@pytest.mark.parametrize("persona", ["alice", "sam"])
@pytest.mark.usefixtures("alice", "dana")
def test_it_refuses_the_patient_list_to_patients_and_supporters(
    client_as: Callable[[str], Client], persona: str
) -> None:
    response = client_as(persona).get("/api/v1/patients")
    assert response.status_code == 403
    assert "items" not in response.json()
    assert not AuditEvent.objects.exists()


def test_it_refuses_one_patient_to_that_patient(client_for: ClientFor, alice: Patient) -> None:
    assert client_for(alice.user).get(f"/api/v1/patients/{alice.pk}").status_code == 403


def test_it_shows_one_patient_to_their_clinician_and_audits_the_view(
    client_for: ClientFor, bob: User, alice: Patient
) -> None:
    response = client_for(bob).get(f"/api/v1/patients/{alice.pk}")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["preferred_name"]) == (str(alice.pk), "Alice")
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_role, event.patient, event.action) == (
        bob,
        "clinician",
        alice,
        "view",
    )


def test_it_hides_another_organizations_patient(
    client_for: ClientFor, carol: User, alice: Patient
) -> None:
    response = client_for(carol).get(f"/api/v1/patients/{alice.pk}")
    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_it_answers_404_for_a_patient_that_does_not_exist(client_for: ClientFor, bob: User) -> None:
    response = client_for(bob).get("/api/v1/patients/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
