"""Writing to the audit trail.

Call these inside the transaction of the action they record (reads: before the
data leaves the server), so an action and its audit entry stand or fall together.
A patient reading their own record is not audited: the trail is about others.
Every entry names what it is about with an `AuditObject`, whose label is what the
patient reads; an object type that is not one of them is refused (ValueError).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from waymark.audit.models import AuditAction, AuditEvent, AuditObject

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from waymark.access import Actor
    from waymark.patients.models import Patient


def _event(
    actor: Actor, action: AuditAction, patient: Patient, object_type: AuditObject, object_id: str
) -> AuditEvent:
    return AuditEvent(
        organization_id=patient.organization_id,
        actor_id=actor.user.pk,
        actor_role=actor.role,
        patient=patient,
        action=action,
        object_type=AuditObject(object_type),
        object_id=object_id or str(patient.pk),
        at=timezone.now(),
        request_id=actor.request_id,
        client_request_id=actor.client_request_id or None,
        ip=actor.ip,
    )


def record(
    actor: Actor,
    action: AuditAction,
    *,
    patient: Patient,
    object_type: AuditObject,
    object_id: str = "",
) -> AuditEvent | None:
    if actor.is_patient(patient):
        return None
    event = _event(actor, action, patient, object_type, object_id)
    event.save()
    return event


def record_export(actor: Actor, patients: Iterable[Patient], *, object_type: AuditObject) -> int:
    """One EXPORT entry per patient in a download of many (issue 18: the de-identified
    outcomes file), written in one statement."""
    return _record_each(actor, AuditAction.EXPORT, patients, AuditObject(object_type))


def record_list(actor: Actor, patients: Iterable[Patient], *, object_type: AuditObject) -> int:
    """One LIST entry per patient shown in a list; use `access.page_and_audit` (or its
    audit part, `access.audit_shown`) rather than calling this by hand."""
    kind = AuditObject(object_type)  # refused even when the list is empty
    return _record_each(actor, AuditAction.LIST, patients, kind)


def _record_each(
    actor: Actor, action: AuditAction, patients: Iterable[Patient], kind: AuditObject
) -> int:
    """One `action` entry per patient (none for the patient's own), in one statement."""
    events = [
        _event(actor, action, patient, kind, "")
        for patient in patients
        if not actor.is_patient(patient)
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def record_account(
    actor: Actor, action: AuditAction, *, subject: AbstractBaseUser, object_type: AuditObject
) -> AuditEvent:
    """An action on a person's account rather than on a patient's data (an admin resetting
    a clinician's second factor): no patient, the account's user id as the object."""
    assert actor.membership is not None, "account actions are taken within an organization"
    return AuditEvent.objects.create(
        organization_id=actor.membership.organization_id,
        actor_id=actor.user.pk,
        actor_role=actor.role,
        patient=None,
        action=action,
        object_type=AuditObject(object_type),
        object_id=str(subject.pk),
        at=timezone.now(),
        request_id=actor.request_id,
        ip=actor.ip,
    )


def record_system(
    action: AuditAction, *, patient: Patient, object_type: AuditObject, object_id: str = ""
) -> AuditEvent:
    """An action taken by Waymark itself (a scheduled job), not by a person."""
    return AuditEvent.objects.create(
        organization_id=patient.organization_id,
        actor=None,
        actor_role="system",
        patient=patient,
        action=action,
        object_type=AuditObject(object_type),
        object_id=object_id or str(patient.pk),
        at=timezone.now(),
    )
