"""decide(): deny by default, permit from the current consent only; disclose() records
every permitted read; revocation and expiry count from the very next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from waymark.accounts.models import User
from waymark.audit.models import AuditObject
from waymark.conftest import NOW, TODAY
from waymark.patients.models import Patient
from waymark.rights.models import AccountClosure
from waymark.support.access import decide, disclose, shared_patient
from waymark.support.models import Consent, Disclosure, Scope, SupporterLink
from waymark.support.services import revoke_consent
from waymark.support.tests.conftest import actor, consent
from waymark.testing.audit import audited


def test_it_denies_a_supporter_with_a_link_but_no_consent(
    sams_link: SupporterLink, alice: Patient, sam: User
) -> None:
    assert not decide(sam, alice, Scope.MILESTONES, NOW)


def test_it_permits_only_the_scopes_the_consent_names(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    assert decide(sam, alice, Scope.MILESTONES, NOW).consent == sams_consent
    assert decide(sam, alice, Scope.REACH_OUT, NOW)
    assert not decide(sam, alice, Scope.WEEKLY_SUMMARY, NOW)
    assert not decide(sam, alice, Scope.CHECKIN_STREAK, NOW)


def test_it_denies_another_patient_and_another_supporter(
    sams_consent: Consent, dana: Patient, sam: User, bob: User, alice: Patient
) -> None:
    assert not decide(sam, dana, Scope.MILESTONES, NOW)
    assert not decide(bob, alice, Scope.MILESTONES, NOW)


def test_it_stops_at_once_when_the_consent_is_revoked(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    later = NOW + dt.timedelta(seconds=1)
    revoke_consent(actor(alice.user), alice, sams_consent, later)
    assert decide(sam, alice, Scope.MILESTONES, NOW)  # before the revocation
    assert not decide(sam, alice, Scope.MILESTONES, later)
    with pytest.raises(Http404):
        shared_patient(actor(sam), alice.pk, later)


def test_it_stops_the_day_after_the_expiry_date(
    sams_link: SupporterLink, alice: Patient, sam: User
) -> None:
    consent(sams_link, expires_on=TODAY)
    assert decide(sam, alice, Scope.MILESTONES, NOW + dt.timedelta(hours=8))  # 11 pm, last day
    assert not decide(sam, alice, Scope.MILESTONES, NOW + dt.timedelta(hours=10))


def test_it_stops_when_the_account_closes_if_that_is_the_expiry(
    sams_link: SupporterLink, alice: Patient, sam: User, bob: User
) -> None:
    consent(sams_link, expires_on=None)
    assert decide(sam, alice, Scope.MILESTONES, NOW)
    AccountClosure.objects.create(
        organization=alice.organization, patient=alice, closed_at=NOW, closed_by=bob
    )
    assert not decide(sam, alice, Scope.MILESTONES, NOW)


def test_it_uses_the_newest_consent_when_one_replaces_another(
    sams_consent: Consent, sams_link: SupporterLink, alice: Patient, sam: User
) -> None:
    newer = consent(sams_link, [Scope.WEEKLY_SUMMARY], at=NOW + dt.timedelta(minutes=1))
    at = NOW + dt.timedelta(minutes=2)
    assert newer.supersedes == sams_consent
    assert not decide(sam, alice, Scope.MILESTONES, at)
    assert decide(sam, alice, Scope.WEEKLY_SUMMARY, at).consent == newer


def test_it_records_each_permitted_scope_as_a_disclosure_and_an_audit_entry(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    shown = disclose(actor(sam), alice, [Scope.MILESTONES, Scope.WEEKLY_SUMMARY], NOW)
    assert list(shown) == [Scope.MILESTONES]
    row = Disclosure.objects.get()
    assert (row.scope, row.recipient, row.consent, row.disclosed_at) == (
        Scope.MILESTONES, sam, sams_consent, NOW,
    )  # fmt: skip
    assert row.purpose == sams_consent.purpose and "Sam" in row.recipient_name
    assert shared_patient(actor(sam), alice.pk, NOW) == alice
    assert audited(patient=alice, actor=sam, object_type=AuditObject.SUPPORTER_VIEW)


def test_it_answers_404_alike_for_no_consent_and_no_such_patient(
    sams_link: SupporterLink, alice: Patient, sam: User
) -> None:
    import uuid

    for patient_id in (alice.pk, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404) as refused:
            shared_patient(actor(sam), patient_id, NOW)
        assert str(refused.value) == "No such person."
    with pytest.raises(Http404):
        disclose(actor(sam), alice, list(Scope), NOW)
    assert not Disclosure.objects.exists()
