"""Patient data rights: the patient's download of their record, and an account's end
(closure, legal hold, erasure after the retention period).

Each workflow runs in one transaction with its audit entry. A download is audited even
when the patient makes it (the trail otherwise leaves out a patient's own reads): a
whole record leaving the server is worth a line, should a session ever be stolen.

Erasure keeps three things, and why:
- the audit trail: append-only by trigger, its rows keep the patient's id, never a name;
- the patient row, de-identified: the audit rows point at it (PROTECT);
- the closure row: when the account closed and when, by whom, it was erased.
The user row is de-identified too (audit rows may name it as an actor), unless the
person still belongs to another organization, whose account it also is.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from waymark.access import Actor, Capability, get_patient, require
from waymark.accounts.models import ApiToken
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.notifications.models import Notification, NotificationPreference
from waymark.organizations.models import Membership
from waymark.patients.models import Patient
from waymark.rights import export, fhir
from waymark.rights.models import AccountClosure

ERASED_NAME = "Erased patient"
ERASED_BIRTH_DATE = dt.date(1900, 1, 1)
# Rows that stay after erasure, pointing at the patient's id only (see the docstring).
KEPT = (AuditEvent, AccountClosure)


def _record_export(actor: Actor, patient: Patient, kind: AuditObject) -> None:
    """Audited whoever downloads, the patient included (`audit.services.record` skips
    the patient's own reads on purpose; a whole-record download is the exception)."""
    AuditEvent.objects.create(
        organization_id=patient.organization_id,
        actor_id=actor.user.pk,
        actor_role=actor.role,
        patient=patient,
        action=AuditAction.EXPORT,
        object_type=kind,
        object_id=str(patient.pk),
        at=timezone.now(),
        request_id=actor.request_id,
        ip=actor.ip,
    )


@transaction.atomic
def download_record(actor: Actor, patient: Patient) -> dict:
    """The patient's whole record as JSON-ready data (audited)."""
    require(actor, Capability.USE_PATIENT_APP, patient=patient)
    _record_export(actor, patient, AuditObject.DATA_EXPORT)
    return export.export_record(patient, now=timezone.now())


@transaction.atomic
def download_fhir(actor: Actor, patient: Patient) -> dict:
    """The patient's record as a FHIR R4 Bundle (audited)."""
    require(actor, Capability.USE_PATIENT_APP, patient=patient)
    _record_export(actor, patient, AuditObject.DATA_EXPORT_FHIR)
    return fhir.patient_bundle(patient, now=timezone.now())


@transaction.atomic
def clinician_download_fhir(actor: Actor, patient_id: uuid.UUID) -> tuple[Patient, dict]:
    """A patient's record as a FHIR R4 Bundle for a clinician or admin of their
    organization (the record's "Export FHIR"): the same Bundle the patient downloads,
    signed notes included, so it needs the notes capability too. Another
    organization's patient is a 404; the export is audited before it is built."""
    require(actor, Capability.VIEW_PATIENT_RECORD)
    require(actor, Capability.READ_NOTES)
    patient = get_patient(
        actor, patient_id, action=AuditAction.EXPORT, object_type=AuditObject.DATA_EXPORT_FHIR
    )
    return patient, fhir.patient_bundle(patient, now=timezone.now())


def closure_of(patient: Patient) -> AccountClosure | None:
    return AccountClosure.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).first()


def _record(actor: Actor, action: AuditAction, patient: Patient, kind: AuditObject) -> None:
    record(actor, action, patient=patient, object_type=kind)


@transaction.atomic
def close_account(actor: Actor, patient: Patient) -> AccountClosure:
    """Sign-in and device tokens stop, and the patient leaves the caseload (and every
    job: reminders, missed check-ins); the record stays for the retention period."""
    require(actor, Capability.ADMINISTER_ORGANIZATION, patient=patient)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if closure_of(patient) is not None:
        raise ServiceError("This account is already closed.", status=409, code="closed")
    closure = AccountClosure.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        closed_at=timezone.now(),
        closed_by=actor.user,
    )
    Membership.objects.filter(
        organization_id=patient.organization_id, user_id=patient.user_id
    ).update(is_active=False)
    user = patient.user
    if not Membership.objects.filter(user=user, is_active=True).exists():
        # Nowhere else to sign in to: Django refuses an inactive user's sign-in, and its
        # sessions stop at the next request; tokens check `user.is_active` too.
        user.is_active = False
        user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _record(actor, AuditAction.UPDATE, patient, AuditObject.ACCOUNT_CLOSURE)
    return closure


def _closed(patient: Patient) -> AccountClosure:
    closure = (
        AccountClosure.objects.select_for_update()
        .filter(organization_id=patient.organization_id, patient=patient)
        .first()
    )
    if closure is None:
        raise ServiceError("Close the account first.", status=409, code="not_closed")
    if closure.is_erased:
        raise ServiceError("This record has been erased.", status=409, code="erased")
    return closure


@transaction.atomic
def set_legal_hold(actor: Actor, patient: Patient, *, hold: bool, reason: str = "") -> None:
    """Set or lift a legal hold on a closed account's record."""
    require(actor, Capability.ADMINISTER_ORGANIZATION, patient=patient)
    closure = _closed(patient)
    reason = reason.strip()
    if hold and not reason:
        raise ServiceError("Say what the legal hold is for.", field="reason")
    closure.legal_hold, closure.legal_hold_reason = hold, reason if hold else ""
    closure.legal_hold_changed_at = timezone.now()
    closure.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_changed_at"])
    action = AuditAction.CREATE if hold else AuditAction.DELETE
    _record(actor, action, patient, AuditObject.LEGAL_HOLD)


def retention_ends_on(patient: Patient, closure: AccountClosure) -> dt.date:
    """The first day the record may be erased (a note added after closure restarts it)."""
    mine = {"organization_id": patient.organization_id, "patient": patient}
    last_note = ClinicalNote.objects.filter(**mine).aggregate(at=Max("updated_at"))["at"]
    last_addendum = NoteAddendum.objects.filter(**mine).aggregate(at=Max("signed_at"))["at"]
    last = max((at for at in (last_note, last_addendum) if at), default=None)
    return closure.retention_ends_on(patient.organization.retention_years, last)


@transaction.atomic
def erase_record(actor: Actor, patient: Patient) -> None:
    """Delete every row of the patient's data and de-identify what must stay.

    Refused unless the account is closed, no legal hold is set and the retention
    period has ended.
    """
    require(actor, Capability.ADMINISTER_ORGANIZATION, patient=patient)
    patient = (
        Patient.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=patient.pk)
    )
    closure = _closed(patient)
    if closure.legal_hold:
        raise ServiceError(
            f"A legal hold is set ({closure.legal_hold_reason}): the record cannot be "
            "erased until it is lifted.",
            status=409,
            code="legal_hold",
        )
    ends_on = retention_ends_on(patient, closure)
    if timezone.now().date() < ends_on:
        raise ServiceError(
            f"The retention period ends on {ends_on:%-d %B %Y}: the record cannot be erased "
            "before then.",
            status=409,
            code="retention",
        )
    # First: this is what lets the notes' triggers allow the signed notes' deletion.
    closure.erased_at, closure.erased_by = timezone.now(), actor.user
    closure.save(update_fields=["erased_at", "erased_by"])
    _record(actor, AuditAction.DELETE, patient, AuditObject.ERASURE)
    _delete_patient_rows(patient)
    _deidentify(patient)


def patient_relations() -> list[tuple[type[models.Model], str]]:
    """(model, field) for every foreign key to Patient, hidden ones (related_name="+")
    included: the tables that hold a patient's rows."""
    return [
        (relation.related_model, relation.field.name)
        for relation in Patient._meta.get_fields(include_hidden=True)
        if isinstance(relation, models.ForeignObjectRel)
        and isinstance(relation.related_model, type)
        and issubclass(relation.related_model, models.Model)
    ]


def _delete_patient_rows(patient: Patient) -> None:
    """Every row of every table pointing at the patient, except those KEPT. Addenda go
    before notes (they PROTECT them); the rest cascade among themselves."""
    mine = {"organization_id": patient.organization_id, "patient": patient}
    NoteAddendum.objects.filter(**mine).delete()
    ClinicalNote.objects.filter(**mine).delete()
    for model, field in patient_relations():
        if model not in KEPT:
            model._default_manager.filter(**{field: patient}).delete()
    Notification.objects.filter(
        organization_id=patient.organization_id, recipient_id=patient.user_id
    ).delete()
    NotificationPreference.objects.filter(
        organization_id=patient.organization_id, user_id=patient.user_id
    ).delete()
    Membership.objects.filter(
        organization_id=patient.organization_id, user_id=patient.user_id
    ).delete()
    # Django admin's history names the object it changed ("Alice"): keep the entry, not
    # the name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Patient), object_id=str(patient.pk)
    ).update(object_repr=ERASED_NAME, change_message="")


def _deidentify(patient: Patient) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        preferred_name=ERASED_NAME,
        date_of_birth=ERASED_BIRTH_DATE,
        timezone="UTC",
        substances=[],
        substance_goals={},
        recovery_start_date=None,
    )
    user = patient.user
    if user.memberships.exists() or user.patient_records.exclude(pk=patient.pk).exists():
        return  # still someone's account elsewhere: only this organization's data goes
    ApiToken.objects.filter(user=user).delete()
    # django-axes keeps sign-in attempts by username (and address): they name the person.
    for name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        apps.get_model("axes", name)._default_manager.filter(username=user.username).delete()
    user.username = f"erased-{patient.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
