"""The support app's URLs in the URL × persona matrix (issue 14).

Patient pages reach the patient's own supporters and consents: Dana (another patient)
gets 404 for Alice's. Supporter pages reach a patient only through a consent: Sam has
none to Alice by default (404, as for a patient who does not exist); the rows marked
`sams_consent` first give him one, so the supporter persona sees the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from waymark.access import Capability
from waymark.organizations.tests.matrix import Row, Target, World, posted
from waymark.support.models import (
    Consent,
    ExpiryKind,
    Relationship,
    Scope,
    SupporterLink,
)

PATIENT, SUPPORTER, ALICE = Capability.USE_PATIENT_APP, Capability.SUPPORT_SOMEONE, Target.ALICE


def _link(world: World) -> SupporterLink:
    sam = world.user("supporter")
    link, _ = SupporterLink.objects.get_or_create(
        organization=world.alice.organization,
        patient=world.alice,
        supporter=sam,
        defaults={
            "name": "Sam",
            "relationship": Relationship.FRIEND,
            "email": sam.email,
            "invited_at": timezone.now(),
        },
    )
    return link


def _consent(world: World) -> Consent:
    link = _link(world)
    return Consent.objects.create(
        organization=world.alice.organization,
        patient=world.alice,
        link=link,
        patient_name="Alice",
        discloser="Northstar Recovery",
        scopes=sorted(Scope.values),
        recipient_name="Sam",
        purpose="Support",
        revocation="Revoke from Supporters.",
        expiry_kind=ExpiryKind.DATE,
        expires_on=timezone.now().date() + dt.timedelta(days=30),
        if_refused="Nothing is shared.",
        redisclosure_notice="42 CFR part 2 prohibits unauthorized disclosure of these records.",
        signature="Alice",
        signed_at=timezone.now() - dt.timedelta(minutes=1),
    )


def alices_link(world: World) -> dict[str, Any]:
    return {"link_id": _link(world).pk}


def alices_consent(world: World) -> dict[str, Any]:
    return {"consent_id": _consent(world).pk}


def sams_consent(world: World) -> dict[str, Any]:
    _consent(world)
    return {"patient_id": world.alice.pk}


SHARED = {"supporter": 200}

ROWS: dict[str, Row] = {
    "support:mine": Row(PATIENT),
    "support:invite": Row(PATIENT, wrong_method="put"),
    "support:sign": Row(PATIENT, target=ALICE, kwargs=alices_link, wrong_method="put"),
    "support:my_consent": Row(PATIENT, target=ALICE, kwargs=alices_consent),
    "support:revoke": posted(PATIENT, target=ALICE, kwargs=alices_consent),
    "support:accounting": Row(PATIENT),
    "support:accounting_csv": Row(PATIENT),
    "support:accounting_pdf": Row(PATIENT),
    "support:reach_out": Row(PATIENT, wrong_method="put"),
    "support:home": Row(SUPPORTER),
    "support:person": Row(SUPPORTER, target=ALICE, kwargs=sams_consent, overrides=SHARED),
    "support:consent_copy": Row(SUPPORTER, target=ALICE, kwargs=sams_consent, overrides=SHARED),
    "api:supported_person": Row(
        SUPPORTER, target=ALICE, kwargs=sams_consent, overrides=SHARED, wrong_method="post"
    ),
    "support:in_touch": posted(
        SUPPORTER, target=ALICE, kwargs=sams_consent, overrides={"supporter": 302}
    ),
}
