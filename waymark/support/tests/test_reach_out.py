""" "I'm struggling — let my people know": only supporters whose consent includes reach-out
are told, in the app and by a neutral e-mail with a call link; each is a disclosure; the
supporter says they have been in touch and the patient sees who answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.conftest import NOW
from waymark.errors import ServiceError
from waymark.notifications.models import Kind, Notification
from waymark.patients.models import Patient
from waymark.support.models import Consent, Disclosure, ReachOutRecipient, Scope
from waymark.support.services import (
    REACH_OUT_REPEAT_WINDOW,
    mark_in_touch,
    reach_out,
    revoke_consent,
)
from waymark.support.tests.conftest import actor, consent, invite


def test_it_tells_only_supporters_whose_consent_includes_reach_out(
    sams_consent: Consent, alice: Patient, sam: User, run_tasks: Callable[[], None]
) -> None:
    consent(invite(alice, "zoe@example.net", name="Zoe"), [Scope.MILESTONES])
    invite(alice, "yann@example.net", name="Yann")  # no consent at all
    request = reach_out(actor(alice.user), alice, "555 0199", NOW)
    assert [r.link.name for r in request.recipients.all()] == ["Sam"]
    told = Notification.objects.get(kind=Kind.REACH_OUT)
    assert told.recipient == sam and "Alice" in told.title
    assert Disclosure.objects.get().scope == Scope.REACH_OUT
    run_tasks()
    (sent,) = [m for m in mail.outbox if "would like to hear" in m.subject]
    assert sent.to == [sam.email]
    assert "tel:5550199" in sent.body
    assert "42 CFR part 2 prohibits unauthorized disclosure of these records." in sent.body
    assert f"/support/{alice.pk}/consent/" in sent.body
    for private in ("Alice", "Northstar", "ketamine", "struggling"):
        assert private.lower() not in (sent.subject + sent.body).lower(), private


def test_it_says_so_when_nobody_can_be_told(sams_link: object, alice: Patient) -> None:
    with pytest.raises(ServiceError, match="None of your supporters"):
        reach_out(actor(alice.user), alice, "", NOW)
    assert not Notification.objects.filter(kind=Kind.REACH_OUT).exists()


def test_it_a_supporter_marks_being_in_touch_and_the_patient_sees_it(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    reach_out(actor(alice.user), alice, "", NOW)
    assert mark_in_touch(actor(sam), alice, NOW) == 1
    assert ReachOutRecipient.objects.get().answered_at == NOW


def test_it_a_revoked_supporter_cannot_answer(
    sams_consent: Consent, alice: Patient, sam: User
) -> None:
    reach_out(actor(alice.user), alice, "", NOW)
    revoke_consent(actor(alice.user), alice, sams_consent, NOW)
    with pytest.raises(Http404):
        mark_in_touch(actor(sam), alice, NOW)
    assert ReachOutRecipient.objects.get().answered_at is None


def test_it_tells_nobody_twice_for_a_double_tap_but_again_later(
    sams_consent: Consent,
    alice: Patient,
    sam: User,
    run_tasks: Callable[[], None],
    frozen: time_machine.Traveller,
) -> None:
    first = reach_out(actor(alice.user), alice, "", NOW)
    again = reach_out(actor(alice.user), alice, "", NOW + dt.timedelta(seconds=20))
    assert again == first
    run_tasks()
    assert Notification.objects.filter(kind=Kind.REACH_OUT).count() == 1
    assert len([m for m in mail.outbox if "would like to hear" in m.subject]) == 1
    assert Disclosure.objects.filter(scope=Scope.REACH_OUT).count() == 1

    frozen.shift(REACH_OUT_REPEAT_WINDOW)
    later = reach_out(actor(alice.user), alice, "", NOW + REACH_OUT_REPEAT_WINDOW)
    assert later != first and later.created_at == NOW + REACH_OUT_REPEAT_WINDOW
    run_tasks()
    assert Notification.objects.filter(kind=Kind.REACH_OUT).count() == 2
    assert len([m for m in mail.outbox if "would like to hear" in m.subject]) == 2


def test_it_says_a_second_tap_was_already_sent(
    sams_consent: Consent,
    alice: Patient,
    client_for: Callable[[User | None], Client],
    frozen: time_machine.Traveller,
) -> None:
    client = client_for(alice.user)
    first = client.post(reverse("support:reach_out"), follow=True).content.decode()
    frozen.shift(dt.timedelta(seconds=20))
    second = client.post(reverse("support:reach_out"), follow=True).content.decode()
    assert "We have let Sam know" in first
    assert "We let Sam know a few minutes ago" in second
    assert "We have let Sam know" not in second
    assert Notification.objects.filter(kind=Kind.REACH_OUT).count() == 1


def test_it_carries_the_notice_on_the_supporters_notifications_and_only_theirs(
    sams_consent: Consent,
    alice: Patient,
    sam: User,
    bob: User,
    client_for: Callable[[User | None], Client],
) -> None:
    reach_out(actor(alice.user), alice, "", NOW)
    inbox = client_for(sam).get(reverse("notifications:inbox")).content.decode()
    assert "would like to hear from you" in inbox
    assert "42 CFR part 2 prohibits unauthorized disclosure of these records." in inbox
    for other in (alice.user, bob):
        page = client_for(other).get(reverse("notifications:inbox")).content.decode()
        assert "42 CFR part 2" not in page
