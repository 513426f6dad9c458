"""Supporter workflows: invite, sign a consent, revoke it, reach out, answer, account.

Each runs in one transaction, checks who is acting through the access layer, and refuses
with the one `ServiceError` (nothing half-written). E-mails go through the delivery queue
(`notifications.services.notify`) in the same transaction and say nothing about treatment,
substances or the organization.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from waymark.access import Actor, Capability, NotAllowed, can, one_of, require, roles_with
from waymark.accounts.models import User
from waymark.accounts.services import create_invited_user
from waymark.errors import ServiceError
from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.organizations.models import Membership, Role
from waymark.organizations.services import add_member
from waymark.patients.models import Patient
from waymark.support.access import (
    REDISCLOSURE_NOTICE,
    current_consent,
    decide,
    local_day,
    status_of,
)
from waymark.support.models import (
    Consent,
    ConsentEnding,
    ConsentStatus,
    Disclosure,
    EndingReason,
    ExpiryKind,
    ReachOut,
    ReachOutRecipient,
    Relationship,
    Scope,
    SupporterLink,
)

# A second "let my people know" this soon after the first (a double tap, a second tab) is
# the same request: nobody is told twice. Waymark default; a later one tells them again.
REACH_OUT_REPEAT_WINDOW = dt.timedelta(minutes=10)
ACCOUNTING_DAYS = 3 * 365 + 1  # "the past 3 years", leap day included
DEFAULT_PURPOSE = "So that the people I choose can support me in my recovery."
REVOCATION_TEXT = (
    "You can revoke this consent at any time, for any reason, from Supporters in Waymark "
    "(or by asking {discloser}). Sharing stops from the next page your supporter opens. "
    "Revoking does not undo what was already shared before."
)
IF_REFUSED_TEXT = (
    "Signing is your choice. If you do not sign, nothing is shared with this person, and "
    "your care and treatment at {discloser} stay exactly the same."
)


def _own(actor: Actor, patient: Patient) -> None:
    require(actor, Capability.USE_PATIENT_APP, patient=patient)
    if not actor.is_patient(patient):
        raise NotAllowed("Only the patient can do this.")


@dataclass(frozen=True)
class InviteData:
    name: str
    relationship: str
    email: str
    phone: str = ""


def _username_for(email: str) -> str:
    base = email.lower()[:140]
    return (
        base
        if not User.objects.filter(username__iexact=base).exists()
        else (f"{base}-{uuid.uuid4().hex[:6]}")
    )


def _supporter_account(patient: Patient, email: str) -> User:
    """The invitee's account: an existing supporter's (they may support several people),
    or a new one with no password, which they choose from the invitation."""
    staff_roles = roles_with(Capability.VIEW_CASELOAD)
    users = list(User.objects.filter(email__iexact=email))
    if (
        any(u.is_staff or u.is_superuser for u in users)
        or Membership.objects.filter(user__in=users, role__in=staff_roles).exists()
    ):
        raise ServiceError(
            "This address belongs to a member of staff at a care organization. Supporters "
            "are people from your own life: please use their personal address.",
            field="email",
        )
    other_here = Membership.objects.filter(
        user__in=users, organization_id=patient.organization_id
    ).exclude(role=Role.SUPPORTER)
    if other_here.exists():
        raise ServiceError(
            "This address already has another kind of account here, so it cannot be "
            "invited as a supporter. Please use a different address.",
            field="email",
        )
    existing = Membership.objects.filter(user__in=users, role=Role.SUPPORTER).first()
    user = existing.user if existing else None
    if user is None:
        user = create_invited_user(username=_username_for(email), email=email)
    add_member(patient.organization, user, Role.SUPPORTER)
    return user


@transaction.atomic
def invite_supporter(
    actor: Actor, patient: Patient, data: InviteData, at: dt.datetime
) -> SupporterLink:
    _own(actor, patient)
    email = data.email.strip()
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Tell us their name, as you would say it."]
    if data.relationship not in Relationship.values:
        errors["relationship"] = ["Choose how you know them."]
    if not email:
        errors["email"] = ["Give their e-mail address, so we can send the invitation."]
    elif email.lower() == (patient.user.email or "").lower():
        errors["email"] = ["That is your own e-mail address. Invite someone else."]
    elif SupporterLink.objects.filter(
        organization_id=patient.organization_id, patient=patient, email__iexact=email
    ).exists():
        errors["email"] = ["You have already invited this person."]
    if errors:
        raise ServiceError(errors=errors)
    supporter = _supporter_account(patient, email)
    if SupporterLink.objects.filter(
        organization_id=patient.organization_id, patient=patient, supporter=supporter
    ).exists():
        raise ServiceError("You have already invited this person.", field="email")
    link = SupporterLink.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        supporter=supporter,
        name=data.name.strip(),
        relationship=data.relationship,
        email=email,
        phone=data.phone.strip(),
        invited_at=at,
    )
    notify(
        patient.organization,
        supporter,
        Message(
            kind=Kind.SUPPORTER_INVITATION,
            title="Someone has invited you to support them in Waymark",
            url=reverse("support:home"),
            required=True,
        ),
        dedupe_key=f"supporter-invitation:{link.pk}",
        now=at,
    )
    return link


@dataclass(frozen=True)
class ConsentData:
    scopes: list[str]
    expiry_kind: str
    signature: str
    expires_on: dt.date | None = None
    purpose: str = DEFAULT_PURPOSE
    how_to_help: str = ""
    agreed: bool = True
    replaces: int | None = None  # the consent the patient was looking at, if any
    errors: dict[str, list[str]] = field(default_factory=dict)


def consent_elements(patient: Patient, link: SupporterLink) -> dict[str, str]:
    """The fixed wording of a consent for this patient and supporter (shown on the form
    and stored with the signature)."""
    discloser = patient.organization.name
    return {
        "patient_name": patient.preferred_name,
        "discloser": f"{discloser}, through Waymark",
        "recipient_name": f"{link.name} ({link.get_relationship_display()}), {link.email}",
        "revocation": REVOCATION_TEXT.format(discloser=discloser),
        "if_refused": IF_REFUSED_TEXT.format(discloser=discloser),
        "redisclosure_notice": REDISCLOSURE_NOTICE,
    }


def link_of(patient: Patient, link_id: int) -> SupporterLink:
    links = SupporterLink.objects.filter(organization_id=patient.organization_id, patient=patient)
    return one_of(links, link_id, "No such supporter.")


def consent_of(patient: Patient, consent_id: int) -> Consent:
    consents = (
        Consent.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("link", "patient")
        .prefetch_related("endings")
    )
    return one_of(consents, consent_id, "No such consent.")


@transaction.atomic
def sign_consent(
    actor: Actor, patient: Patient, link: SupporterLink, data: ConsentData, at: dt.datetime
) -> Consent:
    """A new signed consent; the link's active one, if any, is replaced by it."""
    _own(actor, patient)
    if link.patient_id != patient.pk:
        raise Http404("No such supporter.")
    errors = dict(data.errors)
    scopes = sorted(set(data.scopes))
    if not scopes:
        errors["scopes"] = ["Choose at least one thing to share, or leave without signing."]
    elif not set(scopes) <= set(Scope.values):
        errors["scopes"] = ["Choose from the list."]
    if data.expiry_kind not in ExpiryKind.values:
        errors["expiry_kind"] = ["Choose when this consent ends."]
    elif data.expiry_kind == ExpiryKind.DATE:
        if data.expires_on is None:
            errors.setdefault("expires_on", ["Choose the date this consent ends."])
        elif data.expires_on < local_day(patient, at):
            errors["expires_on"] = ["That date has passed. Choose today or a later date."]
    if not data.purpose.strip():
        errors["purpose"] = ["Say why you are sharing, in a few words."]
    if not data.signature.strip():
        errors["signature"] = ["Type your name to sign."]
    if not data.agreed:
        errors["agreed"] = ["Tick the box to say you have read this consent."]
    previous = current_consent(link, at)
    if data.replaces is not None:
        replaced = consent_of(patient, data.replaces)
        if replaced.link_id != link.pk:
            raise Http404("No such consent.")
        if status_of(replaced, at) != ConsentStatus.ACTIVE:
            errors["__all__"] = [
                "That consent has already ended and cannot be changed or brought back. "
                "You can sign a new one below."
            ]
    if errors:
        raise ServiceError(errors=errors)
    consent = Consent.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        link=link,
        supersedes=previous,
        scopes=scopes,
        purpose=data.purpose.strip()[:300],
        expiry_kind=data.expiry_kind,
        expires_on=data.expires_on if data.expiry_kind == ExpiryKind.DATE else None,
        signature=data.signature.strip()[:160],
        signed_at=at,
        **consent_elements(patient, link),
    )
    if previous is not None:
        ConsentEnding.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            consent=previous,
            reason=EndingReason.SUPERSEDED,
            ended_at=at,
        )
    if data.how_to_help != link.how_to_help:
        SupporterLink.objects.filter(pk=link.pk).update(how_to_help=data.how_to_help[:1000])
    return consent


@transaction.atomic
def revoke_consent(actor: Actor, patient: Patient, consent: Consent, at: dt.datetime) -> None:
    _own(actor, patient)
    if consent.patient_id != patient.pk:
        raise Http404("No such consent.")
    if status_of(consent, at) != ConsentStatus.ACTIVE:
        raise ServiceError(
            "This consent has already ended: nothing is shared under it.",
            status=409,
            code="ended",
        )
    ConsentEnding.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        consent=consent,
        reason=EndingReason.REVOKED,
        ended_at=at,
    )


@dataclass(frozen=True)
class LinkSummary:
    link: SupporterLink
    consent: Consent | None  # the newest consent, whatever its status
    status: str  # a ConsentStatus, or "" when nothing was ever signed


def supporters_of(patient: Patient, at: dt.datetime) -> list[LinkSummary]:
    links = SupporterLink.objects.filter(organization_id=patient.organization_id, patient=patient)
    summaries = []
    for link in links:
        consent = (
            Consent.objects.filter(organization_id=link.organization_id, link=link)
            .select_related("patient")
            .prefetch_related("endings")
            .first()
        )
        summaries.append(LinkSummary(link, consent, status_of(consent, at) if consent else ""))
    return summaries


def consents_of(patient: Patient) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("link", "patient")
        .prefetch_related("endings")
    )


def accounting(patient: Patient, at: dt.datetime) -> QuerySet[Disclosure]:
    """Every disclosure to supporters in the past 3 years, newest first."""
    return Disclosure.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        disclosed_at__gte=at - dt.timedelta(days=ACCOUNTING_DAYS),
        disclosed_at__lte=at,
    ).order_by("-disclosed_at", "-id")


def accounting_row(row: Disclosure) -> list[str]:
    """One line of the CSV: date, recipient, what, purpose, the consent's signing."""
    return [
        f"{row.disclosed_at:%Y-%m-%d %H:%M}",
        row.recipient_name,
        row.get_scope_display(),
        row.purpose,
        f"{row.consent.signed_at:%Y-%m-%d}",
    ]


@transaction.atomic
def reach_out(actor: Actor, patient: Patient, phone: str, at: dt.datetime) -> ReachOut:
    """Tell each supporter whose consent includes reach-out, now: in the app and by a
    neutral e-mail, through the delivery queue; each is a disclosure.

    Within REACH_OUT_REPEAT_WINDOW of the last one, that one is returned and nobody is
    told again (its `created_at` is then earlier than `at`)."""
    _own(actor, patient)
    # One at a time per patient (two tabs): the second waits, then finds the first.
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).exists()
    recent = ReachOut.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        created_at__gt=at - REACH_OUT_REPEAT_WINDOW,
        created_at__lte=at,
    ).first()
    if recent is not None:
        return recent
    links = SupporterLink.objects.filter(organization_id=patient.organization_id, patient=patient)
    chosen = []
    for link in links.select_related("supporter"):
        decision = decide(link.supporter, patient, Scope.REACH_OUT, at)
        if decision.consent is not None:
            chosen.append((link, decision.consent))
    if not chosen:
        raise ServiceError(
            "None of your supporters has reach-out in their consent yet. You can add it "
            "from Supporters, or call one of the numbers below.",
            status=409,
            code="nobody",
        )
    request = ReachOut.objects.create(
        organization_id=patient.organization_id, patient=patient, phone=phone.strip(), created_at=at
    )
    url = reverse("support:person", args=[patient.pk])
    for link, consent in chosen:
        ReachOutRecipient.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            reach_out=request,
            link=link,
            consent=consent,
        )
        Disclosure.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            consent=consent,
            recipient=link.supporter,
            recipient_name=consent.recipient_name,
            scope=Scope.REACH_OUT,
            purpose=consent.purpose,
            disclosed_at=at,
        )
        notify(
            patient.organization,
            link.supporter,
            Message(
                kind=Kind.REACH_OUT,
                title=f"{patient.preferred_name} would like to hear from you",
                body="They asked Waymark to let you know they are having a hard time. "
                "A call or a message from you can help.",
                url=url,
            ),
            dedupe_key=f"reach-out:{request.pk}:{link.pk}",
            patient=patient,
            now=at,
        )
    return request


def reach_outs_of(patient: Patient, *, limit: int = 5) -> list[ReachOut]:
    return list(
        ReachOut.objects.filter(
            organization_id=patient.organization_id, patient=patient
        ).prefetch_related("recipients__link")[:limit]
    )


@transaction.atomic
def mark_in_touch(actor: Actor, patient: Patient, at: dt.datetime) -> int:
    """The supporter says they have been in touch: every open reach-out to them is
    answered. Needs reach-out in their consent now (else 404, as for anyone else)."""
    if not can(actor, Capability.SUPPORT_SOMEONE) or not decide(
        actor.user, patient, Scope.REACH_OUT, at
    ):
        raise Http404("No such person.")
    return ReachOutRecipient.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        link__supporter=actor.user,
        answered_at__isnull=True,
    ).update(answered_at=at)
