"""Inviting a supporter: one neutral e-mail through the queue, an account they finish
themselves, and clear refusals with nothing half-written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail

from waymark.accounts.models import User
from waymark.conftest import make_user
from waymark.errors import ServiceError
from waymark.notifications.models import Delivery, Kind, Notification
from waymark.organizations.models import Membership, Organization, Role
from waymark.organizations.services import add_member
from waymark.patients.models import Patient
from waymark.support.models import SupporterLink
from waymark.support.tests.conftest import invite


def test_it_creates_an_account_and_queues_a_neutral_invitation(
    alice: Patient, run_tasks: Callable[[], None]
) -> None:
    link = invite(alice, "zoe@example.net", name="Zoe")
    zoe = link.supporter
    assert zoe.email == "zoe@example.net" and not zoe.has_usable_password()
    assert Membership.objects.get(user=zoe).role == Role.SUPPORTER
    notification = Notification.objects.get(recipient=zoe)
    assert notification.kind == Kind.SUPPORTER_INVITATION
    assert Delivery.objects.filter(notification=notification).count() == 1
    run_tasks()
    (sent,) = mail.outbox
    text = sent.subject + sent.body + str(sent.alternatives[0][0])
    assert "someone has invited you to support them in waymark" in text.lower()
    assert "/accounts/set-password/" in sent.body  # they choose their own password
    assert "the link works once, for 7 days" in sent.body
    assert "42 CFR part 2 prohibits unauthorized disclosure" in sent.body
    for private in ("Alice", "Northstar", "ketamine", "treatment", "recovery", "alcohol"):
        assert private.lower() not in text.lower(), private


def test_it_reuses_the_account_of_someone_who_already_supports_another_patient(
    alice: Patient, dana: Patient, sam: User
) -> None:
    first = invite(alice, sam.email)
    second = invite(dana, sam.email.upper())
    assert first.supporter == second.supporter == sam
    assert User.objects.filter(email__iexact=sam.email).count() == 1


def test_it_adds_a_supporter_membership_in_the_patients_organization(
    alice: Patient, erin: Patient, sam: User
) -> None:
    invite(erin, sam.email)
    assert Membership.objects.get(user=sam, organization=erin.organization).role == Role.SUPPORTER


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice@example.org", "your own e-mail address"),
        ("bob@example.org", "member of staff"),
        ("carol@example.org", "member of staff"),
        ("dana@example.org", "another kind of account"),
    ],
)
def test_it_refuses_oneself_staff_and_other_patients(
    alice: Patient, dana: Patient, carol: User, email: str, message: str
) -> None:
    users_before = User.objects.count()
    with pytest.raises(ServiceError) as refused:
        invite(alice, email)
    assert message in refused.value.errors["email"][0]
    assert not SupporterLink.objects.exists() and not Notification.objects.exists()
    assert User.objects.count() == users_before


def test_it_refuses_inviting_the_same_person_twice(alice: Patient) -> None:
    invite(alice, "zoe@example.net")
    with pytest.raises(ServiceError, match="already invited"):
        invite(alice, "ZOE@example.net")
    assert SupporterLink.objects.count() == 1
    assert Notification.objects.count() == 1


def test_it_refuses_an_admin_of_the_organization(alice: Patient, northstar: Organization) -> None:
    admin = make_user("ursula")
    add_member(northstar, admin, Role.ADMIN)
    with pytest.raises(ServiceError, match="member of staff"):
        invite(alice, admin.email)
