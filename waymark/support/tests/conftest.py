"""Sam supports Alice once she has invited him and signed a consent (helpers below)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.conftest import NOW, TODAY
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient
from waymark.support.models import Consent, ExpiryKind, Relationship, Scope, SupporterLink
from waymark.support.services import ConsentData, InviteData, invite_supporter, sign_consent


@pytest.fixture(autouse=True)
def _clock(frozen: object) -> None:
    """Every support test runs at the one frozen NOW."""


def actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user), request_id="test")


def invite(patient: Patient, email: str, name: str = "Sam", at: dt.datetime = NOW) -> SupporterLink:
    data = InviteData(name=name, relationship=Relationship.FAMILY, email=email, phone="555-0100")
    return invite_supporter(actor(patient.user), patient, data, at)


def consent(
    link: SupporterLink,
    scopes: Iterable[Scope] = (Scope.MILESTONES, Scope.REACH_OUT),
    *,
    expires_on: dt.date | None = TODAY + dt.timedelta(days=90),
    at: dt.datetime = NOW,
) -> Consent:
    data = ConsentData(
        scopes=[str(s) for s in scopes],
        expiry_kind=ExpiryKind.DATE if expires_on else ExpiryKind.ACCOUNT_CLOSED,
        expires_on=expires_on,
        signature=link.patient.preferred_name,
    )
    return sign_consent(actor(link.patient.user), link.patient, link, data, at)


@pytest.fixture
def sams_link(alice: Patient, sam: User) -> SupporterLink:
    """Alice invited Sam (his existing supporter account, by his e-mail)."""
    return invite(alice, sam.email)


@pytest.fixture
def sams_consent(sams_link: SupporterLink) -> Consent:
    return consent(sams_link)
