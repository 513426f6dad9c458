"""Signing, changing and revoking a consent; a signed consent never changes, in the model
and in the database (migration 0002's triggers, on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from waymark.accounts.models import User
from waymark.conftest import NOW, TODAY
from waymark.errors import ServiceError
from waymark.patients.models import Patient
from waymark.support.models import (
    Consent,
    ConsentEnding,
    Disclosure,
    EndingReason,
    ExpiryKind,
    Scope,
    SupporterLink,
)
from waymark.support.services import ConsentData, revoke_consent, sign_consent
from waymark.support.tests.conftest import actor, consent


def refused_by_database(action: object) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        action()  # type: ignore[operator]
    return str(refused.value)


def test_it_records_every_element_of_the_consent(sams_consent: Consent, alice: Patient) -> None:
    c = sams_consent
    assert c.patient_name == "Alice"
    assert c.discloser.startswith("Northstar Recovery")
    assert c.scopes == ["milestones", "reach_out"]
    assert "Sam" in c.recipient_name and "sam@example.org" in c.recipient_name
    assert c.purpose and "revoke" in c.revocation and "Supporters" in c.revocation
    assert c.expires_on == TODAY + dt.timedelta(days=90)
    assert "nothing is shared" in c.if_refused.lower()
    assert c.signature == "Alice" and c.signed_at == NOW
    assert c.redisclosure_notice == (
        "42 CFR part 2 prohibits unauthorized disclosure of these records."
    )


def _sign(link: SupporterLink, **changes: object) -> Consent:
    fields: dict[str, object] = {
        "scopes": ["milestones"],
        "expiry_kind": ExpiryKind.DATE,
        "expires_on": TODAY + dt.timedelta(days=30),
        "signature": "Alice",
    }
    fields.update(changes)
    return sign_consent(actor(link.patient.user), link.patient, link, ConsentData(**fields), NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scopes": []}, "scopes", "at least one"),
        ({"scopes": ["clinical_notes"]}, "scopes", "from the list"),
        ({"expires_on": TODAY - dt.timedelta(days=1)}, "expires_on", "has passed"),
        ({"expires_on": None}, "expires_on", "Choose the date"),
        ({"signature": "  "}, "signature", "Type your name"),
        ({"agreed": False}, "agreed", "Tick the box"),
    ],
)
def test_it_refuses_an_incomplete_consent_and_writes_nothing(
    sams_link: SupporterLink, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        _sign(sams_link, **changes)
    assert message in refused.value.errors[field][0]
    assert not Consent.objects.exists()


def test_it_accepts_an_expiry_of_today(sams_link: SupporterLink) -> None:
    assert _sign(sams_link, expires_on=TODAY).expires_on == TODAY


def test_it_a_change_is_a_new_consent_that_replaces_the_old(
    sams_consent: Consent, sams_link: SupporterLink
) -> None:
    newer = _sign(sams_link, scopes=["weekly_summary"])
    assert newer.pk != sams_consent.pk and newer.supersedes == sams_consent
    ending = ConsentEnding.objects.get(consent=sams_consent)
    assert ending.reason == EndingReason.SUPERSEDED
    sams_consent.refresh_from_db()
    assert sams_consent.scopes == ["milestones", "reach_out"]  # the old one is unchanged


def test_it_records_a_revocation_and_refuses_a_second_one(
    sams_consent: Consent, alice: Patient
) -> None:
    revoke_consent(actor(alice.user), alice, sams_consent, NOW)
    assert ConsentEnding.objects.get(consent=sams_consent).reason == EndingReason.REVOKED
    with pytest.raises(ServiceError, match="already ended"):
        revoke_consent(actor(alice.user), alice, sams_consent, NOW)
    assert ConsentEnding.objects.count() == 1


def test_it_refuses_to_bring_back_a_revoked_consent(
    sams_consent: Consent, sams_link: SupporterLink, alice: Patient
) -> None:
    revoke_consent(actor(alice.user), alice, sams_consent, NOW)
    with pytest.raises(ServiceError, match="cannot be changed or brought back"):
        _sign(sams_link, replaces=sams_consent.pk)
    assert Consent.objects.count() == 1
    fresh = _sign(sams_link)  # a new consent is always possible
    assert fresh.supersedes is None


def test_it_only_the_patient_signs_or_revokes(
    sams_consent: Consent, sams_link: SupporterLink, alice: Patient, bob: User, sam: User
) -> None:
    data = ConsentData(scopes=["milestones"], expiry_kind="date", expires_on=TODAY, signature="B")
    for someone in (bob, sam):
        with pytest.raises(ServiceError):
            sign_consent(actor(someone), alice, sams_link, data, NOW)
        with pytest.raises(ServiceError):
            revoke_consent(actor(someone), alice, sams_consent, NOW)
    assert Consent.objects.count() == 1 and not ConsentEnding.objects.exists()


def test_it_refuses_saving_or_deleting_a_signed_consent_in_the_model(
    sams_consent: Consent,
) -> None:
    sams_consent.scopes = sorted(Scope.values)
    with pytest.raises(ServiceError, match="cannot be changed"):
        sams_consent.save()
    with pytest.raises(ServiceError, match="cannot be deleted"):
        sams_consent.delete()


def test_it_the_database_refuses_to_change_or_delete_a_consent(sams_consent: Consent) -> None:
    consents = Consent.objects.filter(pk=sams_consent.pk)
    assert "UPDATE refused" in refused_by_database(lambda: consents.update(scopes=["x"]))
    assert "DELETE refused" in refused_by_database(lambda: consents._raw_delete("default"))  # type: ignore[attr-defined]

    def raw_update() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE support_consent SET signature = 'someone else'")

    assert "UPDATE refused" in refused_by_database(raw_update)
    assert Consent.objects.get().signature == "Alice"


def test_it_the_database_refuses_to_change_a_revocation_or_a_disclosure(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    revoke_consent(actor(alice.user), alice, sams_consent, NOW)
    endings = ConsentEnding.objects.all()
    assert "refused" in refused_by_database(lambda: endings.update(ended_at=NOW + dt.timedelta(1)))
    assert "refused" in refused_by_database(lambda: endings._raw_delete("default"))  # type: ignore[attr-defined]
    Disclosure.objects.create(
        organization=alice.organization, patient=alice, consent=sams_consent, recipient=sam,
        recipient_name="Sam", scope=Scope.MILESTONES, purpose="p", disclosed_at=NOW,
    )  # fmt: skip
    disclosures = Disclosure.objects.all()
    assert "refused" in refused_by_database(lambda: disclosures.update(scope="weekly_summary"))
    assert "refused" in refused_by_database(lambda: disclosures._raw_delete("default"))  # type: ignore[attr-defined]
    assert ConsentEnding.objects.count() == Disclosure.objects.count() == 1


def test_it_another_supporter_consent_is_independent(
    alice: Patient, dana: Patient, sam: User
) -> None:
    from waymark.support.tests.conftest import invite

    for_alice = consent(invite(alice, sam.email), [Scope.MILESTONES])
    for_dana = consent(invite(dana, sam.email), [Scope.WEEKLY_SUMMARY])
    revoke_consent(actor(alice.user), alice, for_alice, NOW)
    assert ConsentEnding.objects.filter(consent=for_dana).exists() is False
