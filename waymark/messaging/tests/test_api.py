"""The messages API: the same checks, audit and read receipts as the pages."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent, AuditObject
from waymark.messaging.models import Message, Thread
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]


def post(client: Client, url: str, data: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(data), content_type="application/json")
    return response.status_code, response.json()


def test_it_lets_the_patient_write_and_the_clinician_reply_and_read(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    patient, clinician = client_for(alice.user), client_for(bob)
    status, sent = post(patient, "/api/v1/messages", {"subject": "Hi", "body": "A question"})
    assert status == 201 and sent["from_patient"] is True and sent["read_at"] is None
    thread_id = sent["thread_id"]
    [listed] = clinician.get(f"/api/v1/patients/{alice.pk}/messages").json()
    assert (listed["subject"], listed["unread"]) == ("Hi", 1)
    conversation = clinician.get(f"/api/v1/patients/{alice.pk}/messages/{thread_id}").json()
    assert conversation["messages"][0]["body"] == "A question"
    assert Message.objects.get().read_by == bob
    assert (
        AuditEvent.objects.filter(
            actor=bob, patient=alice, object_type=AuditObject.MESSAGE_THREAD
        ).count()
        == 1
    )
    status, answer = post(
        clinician, f"/api/v1/patients/{alice.pk}/messages", {"thread_id": thread_id, "body": "OK"}
    )
    assert status == 201 and answer["from_patient"] is False
    [mine] = patient.get("/api/v1/messages").json()
    assert mine["unread"] == 1


def test_it_refuses_bad_input_naming_the_field(alice: Patient, client_for: ClientFor) -> None:
    client = client_for(alice.user)
    status, error = post(client, "/api/v1/messages", {"subject": "Hi", "body": " "})
    assert status == 422 and "body" in error["errors"]
    status, error = post(client, "/api/v1/messages", {"body": "No subject"})
    assert status == 422 and "subject" in error["errors"]
    status, _ = post(client, "/api/v1/messages", {"body": "x", "thread_id": 999})
    assert status == 404
    status, _ = post(client, "/api/v1/messages", {"body": "x", "subject": "s", "file": "a.png"})
    assert status == 422  # no attachments
    assert not Thread.objects.exists()


def test_it_answers_404_for_another_organizations_patient(
    erin: Patient, bob: User, client_for: ClientFor
) -> None:
    status, _ = post(
        client_for(bob), f"/api/v1/patients/{erin.pk}/messages", {"subject": "a", "body": "b"}
    )
    assert status == 404
    assert not Message.objects.exists()
