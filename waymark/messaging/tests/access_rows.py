from __future__ import annotations

from typing import Any

from waymark.access import Capability
from waymark.messaging.models import Message, Thread
from waymark.organizations.tests.matrix import Row, Target, World, alice_id, created

PATIENT, STAFF = Capability.MESSAGE_CARE_TEAM, Capability.MESSAGE_PATIENTS
ALICE = Target.ALICE


def alices_thread(world: World) -> Thread:
    from django.utils import timezone

    alice = world.alice
    now = timezone.now()
    thread = Thread.objects.create(
        organization=alice.organization,
        patient=alice,
        subject="Sleep",
        started_by=alice.user,
        last_message_at=now,
    )
    Message.objects.create(
        organization=alice.organization,
        thread=thread,
        sender=alice.user,
        from_patient=True,
        body="I slept badly.",
        sent_at=now,
    )
    return thread


def thread_id(world: World) -> dict[str, Any]:
    return {"thread_id": alices_thread(world).pk}


def patient_and_thread(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk, "thread_id": alices_thread(world).pk}


HELLO = {"subject": "Hi", "body": "Hello"}

ROWS: dict[str, Row] = {
    "api:list_my_message_threads": Row(PATIENT, wrong_method="put"),
    "api:send_my_message": created(PATIENT, data=HELLO),
    "api:my_message_thread": Row(PATIENT, target=ALICE, kwargs=thread_id),
    "api:list_patient_message_threads": Row(
        STAFF, target=ALICE, kwargs=alice_id, wrong_method="put"
    ),
    "api:send_patient_message": created(STAFF, target=ALICE, kwargs=alice_id, data=HELLO),
    "api:patient_message_thread": Row(STAFF, target=ALICE, kwargs=patient_and_thread),
    "messaging:mine": Row(PATIENT, wrong_method="put"),
    "messaging:thread": Row(PATIENT, target=ALICE, kwargs=thread_id, wrong_method="put"),
    "messaging:inbox": Row(STAFF),
    "messaging:patient": Row(STAFF, target=ALICE, kwargs=alice_id, wrong_method="put"),
    "messaging:patient_thread": Row(
        STAFF, target=ALICE, kwargs=patient_and_thread, wrong_method="put"
    ),
}
