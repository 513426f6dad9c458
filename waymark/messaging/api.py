"""/api/v1/messages (the patient's own) and /api/v1/patients/{id}/messages (the care team's):
a thin layer over services.py, with the same checks, audit and notifications as the pages.

A message with `thread_id` replies in that conversation; without it, it starts one (then
`subject` is required). Another organization's patient or conversation is a 404; 422
names each field at fault. No attachments.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from waymark.access import Actor, Capability, actor_for, get_patient, own_patient_record, require
from waymark.audit.models import AuditObject
from waymark.errors import ErrorOut
from waymark.messaging.models import Message, Thread
from waymark.messaging.services import (
    MessageData,
    open_thread,
    reply,
    start_thread,
    thread_of,
    threads_of,
    threads_with_unread,
)
from waymark.patients.models import Patient

router = Router(tags=["messages"])


class ThreadOut(Schema):
    id: int
    subject: str
    last_message_at: dt.datetime
    unread: int = Field(description="Messages from the other side not yet read.")


class MessageOut(Schema):
    id: int
    thread_id: int
    from_patient: bool
    body: str
    sent_at: dt.datetime
    read_at: dt.datetime | None = Field(description="When the other side first read it.")


class ConversationOut(Schema):
    thread: ThreadOut
    messages: list[MessageOut]


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str
    subject: str = Field("", description="Required to start a conversation.")
    thread_id: int | None = Field(None, description="Reply in this conversation.")


def _send(actor: Actor, patient: Patient, payload: MessageIn) -> Message:
    data = MessageData(body=payload.body, subject=payload.subject)
    if payload.thread_id is None:
        return start_thread(actor, patient, data)
    return reply(actor, thread_of(patient, payload.thread_id), data)


def _conversation(actor: Actor, thread: Thread, *, audited: bool) -> dict[str, Any]:
    messages = open_thread(actor, thread, audited=audited)
    return {"thread": {**thread.__dict__, "unread": 0}, "messages": messages}


def _list(patient: Patient, *, from_patient: bool) -> list[Thread]:
    return threads_with_unread(threads_of(patient), from_patient=from_patient)


@router.get("/messages", response=list[ThreadOut], summary="My conversations with my care team")
def list_my_message_threads(request: HttpRequest) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_CARE_TEAM)
    return _list(own_patient_record(actor), from_patient=False)


@router.post(
    "/messages",
    response={201: MessageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Write to my care team (not for emergencies)",
)
def send_my_message(request: HttpRequest, payload: MessageIn) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_CARE_TEAM)
    return Status(201, _send(actor, own_patient_record(actor), payload))


@router.get(
    "/messages/{thread_id}",
    response={200: ConversationOut, 404: ErrorOut},
    summary="One of my conversations (marks the care team's messages read)",
)
def my_message_thread(request: HttpRequest, thread_id: int) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_CARE_TEAM)
    patient = own_patient_record(actor)
    return _conversation(actor, thread_of(patient, thread_id), audited=False)


@router.get(
    "/patients/{patient_id}/messages",
    response=list[ThreadOut],
    summary="A patient's conversations with the care team (clinicians; audited)",
)
def list_patient_message_threads(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_PATIENTS)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MESSAGES)
    return _list(patient, from_patient=True)


@router.post(
    "/patients/{patient_id}/messages",
    response={201: MessageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Write to a patient (clinicians)",
)
def send_patient_message(request: HttpRequest, patient_id: uuid.UUID, payload: MessageIn) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_PATIENTS)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MESSAGES)
    return Status(201, _send(actor, patient, payload))


@router.get(
    "/patients/{patient_id}/messages/{thread_id}",
    response={200: ConversationOut, 404: ErrorOut},
    summary="One conversation with a patient (clinicians; audited; marks it read)",
)
def patient_message_thread(request: HttpRequest, patient_id: uuid.UUID, thread_id: int) -> Any:
    actor = require(actor_for(request), Capability.MESSAGE_PATIENTS)
    patient = get_patient(
        actor, patient_id, object_type=AuditObject.MESSAGE_THREAD, object_id=str(thread_id)
    )
    return _conversation(actor, thread_of(patient, thread_id), audited=True)
