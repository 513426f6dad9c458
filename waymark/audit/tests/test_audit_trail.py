from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.audit.services import record
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]


def actor(user: User) -> Actor:
    return Actor(
        user=user, membership=current_membership(user), request_id="test-request", ip="10.1.2.3"
    )


def test_it_records_who_viewed_which_record_from_which_request(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(
        reverse("patients:detail", args=[alice.pk]), REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == bob
    assert event.actor_role == "clinician"
    assert event.organization_id == alice.organization_id
    assert event.patient == alice
    assert (event.object_type, event.object_id) == ("patient", str(alice.pk))
    assert event.request_id == response["X-Request-ID"]
    assert event.ip == "192.0.2.7"
    assert abs((timezone.now() - event.at).total_seconds()) < 60


def test_it_keeps_a_clients_request_id_beside_its_own_never_instead(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(
        reverse("patients:detail", args=[alice.pk]), HTTP_X_REQUEST_ID="lb-0123456789abcdef"
    )
    event = AuditEvent.objects.get()
    assert event.client_request_id == "lb-0123456789abcdef"
    assert event.request_id == response["X-Request-ID"] != "lb-0123456789abcdef"
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)


def test_it_makes_a_new_id_for_each_request_whatever_the_client_sends(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    url = reverse("patients:detail", args=[alice.pk])
    first = client.get(url, HTTP_X_REQUEST_ID="replayed-id-0001")
    second = client.get(url, HTTP_X_REQUEST_ID="replayed-id-0001")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert set(AuditEvent.objects.values_list("request_id", flat=True)) == {
        first["X-Request-ID"],
        second["X-Request-ID"],
    }


@pytest.mark.parametrize("sent", ["<script>", "x" * 65, "two words", "id\x00nul", "é-accent"])
def test_it_drops_a_malformed_client_request_id(
    sent: str, alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(
        reverse("patients:detail", args=[alice.pk]), HTTP_X_REQUEST_ID=sent
    )
    event = AuditEvent.objects.get()
    assert event.client_request_id is None
    assert event.request_id == response["X-Request-ID"] != sent


def test_it_records_each_patient_shown_in_the_caseload(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(bob).get(reverse("patients:caseload"))
    listed = set(
        AuditEvent.objects.filter(action=AuditAction.LIST).values_list("patient", flat=True)
    )
    assert listed == {alice.pk, dana.pk}


def test_it_does_not_audit_a_patient_reading_their_own_record(
    alice: Patient, client_for: ClientFor
) -> None:
    assert client_for(alice.user).get(reverse("patients:me")).status_code == 200
    assert not AuditEvent.objects.exists()


def test_it_writes_nothing_for_another_organizations_patient(
    alice: Patient, carol: User, client_for: ClientFor
) -> None:
    assert client_for(carol).get(reverse("patients:detail", args=[alice.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_it_returns_no_data_when_the_audit_write_fails(
    alice: Patient, bob: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr("waymark.access.record", broken)
    client = client_for(bob)
    client.raise_request_exception = False
    response = client.get(reverse("patients:detail", args=[alice.pk]))
    assert response.status_code == 500
    assert alice.preferred_name.encode() not in response.content


def test_it_rolls_back_the_entry_with_the_action(alice: Patient, bob: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor(bob), AuditAction.UPDATE, patient=alice, object_type="patient")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()


def test_the_database_refuses_to_update_an_entry(alice: Patient, bob: User) -> None:
    event = record(actor(bob), AuditAction.VIEW, patient=alice, object_type="patient")
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.DELETE)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_role = 'nobody'")
    event.refresh_from_db()
    assert (event.action, event.actor_role) == (AuditAction.VIEW, "clinician")


def test_the_database_refuses_to_delete_an_entry(alice: Patient, bob: User) -> None:
    record(actor(bob), AuditAction.VIEW, patient=alice, object_type="patient")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")
def test_the_database_refuses_to_truncate_the_table(alice: Patient, bob: User) -> None:
    record(actor(bob), AuditAction.VIEW, patient=alice, object_type="patient")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_it_shows_the_patient_who_has_looked(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(bob).get(reverse("patients:detail", args=[alice.pk]))
    page = client_for(alice.user).get(reverse("audit:my_access_log"))
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert [(e.actor, e.action) for e in rows] == [(bob, AuditAction.VIEW)]
    assert b"Bob" in page.content


def test_it_shows_a_patient_only_their_own_entries(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(bob).get(reverse("patients:detail", args=[dana.pk]))
    page = client_for(alice.user).get(reverse("audit:my_access_log"))
    assert list(page.context["page"].object_list) == []
    assert b"Nobody else has looked" in page.content


@pytest.mark.parametrize(
    ("action", "object_type", "words"),
    [
        (AuditAction.LIST, "caseload", "Saw your name on the caseload"),
        (AuditAction.VIEW, "patient", "Looked at your record"),
        (AuditAction.UPDATE, "episode", "Changed your stay in care"),
        (AuditAction.LIST, "something_new", "Saw your name in a list of patients"),
        (AuditAction.VIEW, "checkins", "Looked at your check-ins"),
        (AuditAction.UPDATE, "alert_acknowledged", "Changed an alert about you: acknowledged it"),
        (AuditAction.EXPORT, "questionnaire_fhir", "Exported your questionnaire answers"),
    ],
)
def test_it_describes_each_entry_in_plain_words(
    action: AuditAction, object_type: str, words: str
) -> None:
    assert AuditEvent(action=action, object_type=object_type).describe() == words
