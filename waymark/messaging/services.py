"""Workflows for messages with the care team: write, reply, read, count what is unread.

Who may write is the access layer's (`MESSAGE_CARE_TEAM` for the patient, to their own
care team; `MESSAGE_PATIENTS` for clinicians, to the patients `visible_patients` gives
them). A new message, its notification and its e-mail delivery are written in one
transaction (notifications.services.notify); the e-mail says only "You have a new
message in Waymark". Every staff read and write is audited.

Messages are not a safety net. `mentions_crisis` lets the page show crisis help after a
message that sounds like one, but nothing relies on it: the check-in's safety question,
its urgent alert and crisis help one tap away stay where they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from waymark.access import (
    Capability,
    NotAllowed,
    one_of,
    require,
    roles_with,
    visible_patients,
)
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.messaging.models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Message,
    MessagingSettings,
    Thread,
)
from waymark.notifications.models import Kind
from waymark.notifications.services import Message as Notice
from waymark.notifications.services import notify
from waymark.organizations.models import Membership, Organization
from waymark.patients.models import CareTeamMember, Patient

if TYPE_CHECKING:
    from waymark.access import Actor
    from waymark.accounts.models import User

THREAD = AuditObject.MESSAGE_THREAD

# Words that may mean someone is not safe. Only to offer crisis help after sending:
# never a detector, never an alert (see the module docstring).
_CRISIS_PHRASES = re.compile(
    r"\b(kill(ing)? myself|end(ing)? (my|it all)|suicid\w*|self[- ]harm\w*|hurt(ing)? myself|"
    r"don'?t want to (be alive|live|wake up)|better off dead|overdos\w*|not safe)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MessageData:
    body: str
    subject: str = ""


def settings_for(organization: Organization) -> MessagingSettings:
    """The organization's settings, or the defaults when it has set none."""
    found = MessagingSettings.objects.filter(organization=organization).first()
    return found or MessagingSettings(organization=organization)


def mentions_crisis(text: str) -> bool:
    return bool(_CRISIS_PHRASES.search(text))


def validate(data: MessageData, *, new_thread: bool) -> MessageData:
    """`data` with spaces trimmed, or every problem, naming its field."""
    errors: dict[str, list[str]] = {}
    body, subject = data.body.strip(), " ".join(data.subject.split())
    if not body:
        errors["body"] = ["Write your message."]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [
            f"Keep the message under {BODY_MAX_LENGTH:,} characters (it has {len(body):,})."
        ]
    if new_thread and not subject:
        errors["subject"] = ["Give the conversation a subject, a few words are enough."]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [f"Keep the subject under {SUBJECT_MAX_LENGTH} characters."]
    if errors:
        raise ServiceError(errors=errors)
    return MessageData(body=body, subject=subject)


def _check_writer(actor: Actor, patient: Patient) -> bool:
    """Whether the actor writes as the patient (True) or as their care team (False)."""
    if actor.is_patient(patient):
        require(actor, Capability.MESSAGE_CARE_TEAM, patient=patient)
        return True
    require(actor, Capability.MESSAGE_PATIENTS, patient=patient)
    if not visible_patients(actor).filter(pk=patient.pk).exists():
        raise Http404("No such patient.")
    return False


def threads_of(patient: Patient) -> QuerySet[Thread]:
    return Thread.objects.filter(organization_id=patient.organization_id, patient=patient)


def thread_of(patient: Patient, thread_id: int) -> Thread:
    thread = one_of(threads_of(patient), thread_id, "No such conversation.")
    thread.patient = patient
    return thread


def start_thread(actor: Actor, patient: Patient, data: MessageData) -> Message:
    from_patient = _check_writer(actor, patient)
    data = validate(data, new_thread=True)
    with transaction.atomic():
        thread = Thread.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            subject=data.subject,
            started_by=actor.user,
            last_message_at=timezone.now(),
        )
        return _add(actor, thread, data, from_patient=from_patient)


def reply(actor: Actor, thread: Thread, data: MessageData) -> Message:
    from_patient = _check_writer(actor, thread.patient)
    data = validate(data, new_thread=False)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        locked.patient = thread.patient
        return _add(actor, locked, data, from_patient=from_patient)


def _add(actor: Actor, thread: Thread, data: MessageData, *, from_patient: bool) -> Message:
    now = timezone.now()
    message = Message.objects.create(
        organization_id=thread.organization_id,
        thread=thread,
        sender=actor.user,
        from_patient=from_patient,
        body=data.body,
        sent_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    if not from_patient:
        # Replying means the patient's messages before it have been read.
        _mark(thread, actor.user, from_patient=True, now=now)
    record(
        actor,
        AuditAction.CREATE,
        patient=thread.patient,
        object_type=THREAD,
        object_id=str(thread.pk),
    )
    for recipient, url in _recipients(thread, from_patient):
        notify(
            thread.patient.organization,
            recipient,
            Notice(
                kind=Kind.CARE_MESSAGE,
                title=f"New message from {thread.patient}"
                if from_patient
                else "New message from your care team",
                url=url,
            ),
            dedupe_key=f"message:{message.pk}:{recipient.pk}",
            patient=thread.patient,
        )
    return message


def _recipients(thread: Thread, from_patient: bool) -> list[tuple[User, str]]:
    """The patient (for the care team's message), else their care team's clinicians, or the
    organization's clinicians when no care team is named."""
    patient = thread.patient
    if not from_patient:
        return [(patient.user, reverse("messaging:thread", args=[thread.pk]))]
    url = reverse("messaging:patient_thread", args=[patient.pk, thread.pk])
    team = [
        m.clinician
        for m in CareTeamMember.objects.filter(
            organization_id=patient.organization_id, patient=patient
        ).select_related("clinician")
    ]
    if not team:
        members = Membership.objects.filter(
            organization_id=patient.organization_id,
            role__in=roles_with(Capability.MESSAGE_PATIENTS),
            is_active=True,
        ).select_related("user")
        team = [m.user for m in members]
    return [(user, url) for user in team if user.is_active]


def _mark(thread: Thread, reader: User, *, from_patient: bool, now: dt.datetime) -> int:
    return Message.objects.filter(
        thread=thread, from_patient=from_patient, read_at__isnull=True
    ).update(read_at=now, read_by=reader)


def open_thread(actor: Actor, thread: Thread, *, audited: bool = False) -> list[Message]:
    """The thread's messages, marking the other side's as read (audited for staff, unless
    the caller's `get_patient` already wrote this very read: `audited`)."""
    patient = thread.patient
    as_patient = actor.is_patient(patient)
    if not as_patient and not (
        actor.membership
        and actor.membership.organization_id == patient.organization_id
        and visible_patients(actor).filter(pk=patient.pk).exists()
    ):
        raise Http404("No such conversation.")
    with transaction.atomic():
        if not audited:
            record(
                actor,
                AuditAction.VIEW,
                patient=patient,
                object_type=THREAD,
                object_id=str(thread.pk),
            )
        _mark(thread, actor.user, from_patient=not as_patient, now=timezone.now())
    return list(thread.messages.select_related("sender"))


def unread_for_patient(patient: Patient) -> int:
    return Message.objects.filter(
        organization_id=patient.organization_id,
        thread__patient=patient,
        from_patient=False,
        read_at__isnull=True,
    ).count()


def unread_for_staff(actor: Actor) -> int:
    """Unread messages from the patients the actor may message."""
    try:
        require(actor, Capability.MESSAGE_PATIENTS)
    except NotAllowed:
        return 0
    return Message.objects.filter(
        thread__patient__in=visible_patients(actor), from_patient=True, read_at__isnull=True
    ).count()


def threads_with_unread(threads: QuerySet[Thread], *, from_patient: bool) -> list[Thread]:
    """The threads, each with `unread`: messages from that side not yet read."""
    from django.db.models import Count, Q

    return list(
        threads.annotate(
            unread=Count(
                "messages",
                filter=Q(messages__from_patient=from_patient, messages__read_at__isnull=True),
            )
        )
    )
