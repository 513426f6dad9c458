"""The one consent decision: may this supporter see this scope of this patient, now?

`decide()` answers from the patient's current consents only (deny by default): the
newest consent of the supporter's link, if it has not been revoked or replaced, has not
expired (date, or the account being closed) and includes the scope. There is no cache:
a revocation or an expiry is the answer to the very next request.

`disclose()` is how every page, e-mail and export a supporter gets reads: it decides each
scope and writes one `Disclosure` row per permitted scope (when, to whom, what, purpose,
which consent) in the caller's transaction, before anything is shown. A supporter with
no permitted scope for a patient gets `Http404`, the same answer as for a patient who
does not exist (`shared_patient`, which also writes the audit entry of the read).

Only people whose role may `SUPPORT_SOMEONE` (waymark/access.py) get this far.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404

from waymark.access import Actor, Capability, NotAllowed, can
from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.patients.models import Patient
from waymark.rights.models import AccountClosure
from waymark.support.models import (
    Consent,
    ConsentStatus,
    Disclosure,
    EndingReason,
    ExpiryKind,
    Scope,
    SupporterLink,
)

REDISCLOSURE_NOTICE = "42 CFR part 2 prohibits unauthorized disclosure of these records."


def local_day(patient: Patient, at: dt.datetime) -> dt.date:
    return at.astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()


def status_of(consent: Consent, at: dt.datetime, *, account_closed: bool | None = None) -> str:
    """Active, expired, revoked or replaced, at `at`."""
    ending = consent.ending
    if ending is not None and ending.ended_at <= at:
        return (
            ConsentStatus.REVOKED
            if ending.reason == EndingReason.REVOKED
            else ConsentStatus.SUPERSEDED
        )
    if consent.expired_on(local_day(consent.patient, at)):
        return ConsentStatus.EXPIRED
    if consent.expiry_kind == ExpiryKind.ACCOUNT_CLOSED:
        if account_closed is None:
            account_closed = AccountClosure.objects.filter(patient_id=consent.patient_id).exists()
        if account_closed:
            return ConsentStatus.EXPIRED
    return ConsentStatus.ACTIVE


def current_consent(link: SupporterLink, at: dt.datetime) -> Consent | None:
    """The link's newest consent signed by `at`, if it is still active then."""
    consent = (
        Consent.objects.filter(organization_id=link.organization_id, link=link, signed_at__lte=at)
        .select_related("patient")
        .prefetch_related("endings")
        .order_by("-signed_at", "-id")
        .first()
    )
    if consent is None or status_of(consent, at) != ConsentStatus.ACTIVE:
        return None
    return consent


@dataclass(frozen=True)
class Decision:
    permit: bool
    consent: Consent | None = None

    def __bool__(self) -> bool:
        return self.permit


DENY = Decision(False)


def _consent_between(supporter: User, patient: Patient, at: dt.datetime) -> Consent | None:
    link = SupporterLink.objects.filter(
        organization_id=patient.organization_id, patient=patient, supporter=supporter
    ).first()
    return None if link is None else current_consent(link, at)


def _decision(consent: Consent | None, scope: Scope | str) -> Decision:
    if consent is None or str(scope) not in consent.scopes:
        return DENY
    return Decision(True, consent)


def decide(supporter: User, patient: Patient, scope: Scope | str, at: dt.datetime) -> Decision:
    """Permit, with the consent it rests on, or deny. Deny by default."""
    return _decision(_consent_between(supporter, patient, at), scope)


def disclose(
    actor: Actor, patient: Patient, scopes: Iterable[Scope], at: dt.datetime
) -> dict[Scope, Consent]:
    """The scopes the actor may see now, each recorded as a disclosure before it is shown
    (and once in the audit trail). Nothing permitted: Http404."""
    if not can(actor, Capability.SUPPORT_SOMEONE):
        raise NotAllowed(f"Your role cannot {Capability.SUPPORT_SOMEONE.label}.")
    # One consent decides every scope of this request (read once, not once per scope).
    consent = _consent_between(actor.user, patient, at)
    permitted: dict[Scope, Consent] = {}
    for scope in scopes:
        decision = _decision(consent, scope)
        if decision.consent is not None:
            permitted[scope] = decision.consent
    if not permitted:
        raise Http404("No such person.")
    with transaction.atomic():
        Disclosure.objects.bulk_create(
            Disclosure(
                organization_id=patient.organization_id,
                patient=patient,
                consent=consent,
                recipient=actor.user,
                recipient_name=consent.recipient_name,
                scope=scope,
                purpose=consent.purpose,
                disclosed_at=at,
            )
            for scope, consent in permitted.items()
        )
    return permitted


def shared_patient(actor: Actor, patient_id: uuid.UUID | str, at: dt.datetime) -> Patient:
    """A patient who shares at least one scope with the actor now; else 404 (no link,
    no consent, expired, revoked, or no such patient: the same answer)."""
    if not can(actor, Capability.SUPPORT_SOMEONE):
        raise NotAllowed(f"Your role cannot {Capability.SUPPORT_SOMEONE.label}.")
    try:
        key = uuid.UUID(str(patient_id))
    except ValueError:
        raise Http404("No such person.") from None
    link = (
        SupporterLink.objects.filter(patient_id=key, supporter=actor.user)
        .select_related("patient__organization")
        .first()
    )
    if link is None or current_consent(link, at) is None:
        raise Http404("No such person.")
    record(actor, AuditAction.VIEW, patient=link.patient, object_type=AuditObject.SUPPORTER_VIEW)
    return link.patient


def links_with_consent(supporter: User, at: dt.datetime) -> list[tuple[SupporterLink, Consent]]:
    """The people this supporter supports now (an active consent), for their home."""
    found = []
    for link in SupporterLink.objects.filter(supporter=supporter).select_related("patient"):
        consent = current_consent(link, at)
        if consent is not None:
            found.append((link, consent))
    return found
