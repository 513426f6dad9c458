from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from waymark.accounts.models import User
from waymark.alerts.models import Severity
from waymark.alerts.services import raise_alert
from waymark.notifications.models import (
    Delivery,
    DeliveryStatus,
    Kind,
    Notification,
    NotificationPreference,
)
from waymark.notifications.services import Message, notify
from waymark.notifications.tasks import MAX_ATTEMPTS, deliver_email
from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.risk.rules import CHECKIN_SAFETY, CRAVING_HIGH

REMINDER = Message(kind=Kind.CHECKIN_REMINDER, title="Time for your check-in", url="/me/")
SAFETY = CHECKIN_SAFETY
CRAVING = dataclasses.replace(CRAVING_HIGH, severity=Severity.MODERATE)


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


def test_it_writes_the_task_in_the_same_transaction(alice: Patient) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(alice.organization, alice.user, REMINDER, dedupe_key="k1", patient=alice)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the check-in failed to save")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_it_sends_a_generic_email_once(alice: Patient, run_tasks: Callable[[], None]) -> None:
    notify(alice.organization, alice.user, REMINDER, dedupe_key="k1", patient=alice)
    assert notify(alice.organization, alice.user, REMINDER, dedupe_key="k1") is None
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [alice.user.email]
    assert message.subject == "You have a new message in Waymark"
    text = (message.subject + message.body).lower()
    for sensitive in ("ketamine", "alcohol", "check-in", "alice", "craving"):
        assert sensitive not in text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_retried_task_never_sends_twice(alice: Patient, run_tasks: Callable[[], None]) -> None:
    notify(alice.organization, alice.user, REMINDER, dedupe_key="k1")
    run_tasks()
    delivery = Delivery.objects.get()
    deliver_email.enqueue(delivery.pk)  # as if a worker retried it
    run_tasks()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


def test_it_retries_with_backoff_then_records_the_failure(
    alice: Patient, run_tasks: Callable[[], None], settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    start = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    gaps = []
    with time_machine.travel(start, tick=False) as clock:
        notify(alice.organization, alice.user, REMINDER, dedupe_key="k1")
        for _ in range(MAX_ATTEMPTS):
            attempted_at = dt.datetime.now(dt.UTC)
            run_tasks()
            delivery = Delivery.objects.get()
            if delivery.status == DeliveryStatus.PENDING:
                gaps.append((delivery.not_before - attempted_at).total_seconds())
            clock.move_to(delivery.not_before + dt.timedelta(seconds=1))
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert "SMTP server refused" in delivery.last_error
    assert gaps == [30, 120, 480, 1920]
    assert not mail.outbox


def test_it_holds_non_urgent_email_during_quiet_hours(
    alice: Patient, run_tasks: Callable[[], None]
) -> None:
    NotificationPreference.objects.create(
        organization=alice.organization, user=alice.user,
        quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0),
    )  # fmt: skip
    night = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with time_machine.travel(night, tick=False):
        notify(alice.organization, alice.user, REMINDER, dedupe_key="k1")
        run_tasks()
    assert not mail.outbox
    delivery = Delivery.objects.get()
    assert delivery.not_before == dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)  # 07:00 New York
    with time_machine.travel(delivery.not_before + dt.timedelta(seconds=5), tick=False):
        run_tasks()
    assert len(mail.outbox) == 1


def test_urgent_messages_ignore_quiet_hours(
    alice: Patient, bob: User, run_tasks: Callable[[], None]
) -> None:
    NotificationPreference.objects.create(
        organization=alice.organization, user=bob, email_enabled=False,
        quiet_start=dt.time(0, 0), quiet_end=dt.time(23, 59),
    )  # fmt: skip
    raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    run_tasks()
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert mail.outbox[0].subject.startswith("Urgent")


def test_it_tells_the_care_team_in_app_and_emails_only_urgent_alerts(
    alice: Patient, bob: User, run_tasks: Callable[[], None]
) -> None:
    raise_alert(alice, CRAVING.flag("Craving 7 of 10 today."))
    raise_alert(alice, CRAVING.flag("Craving 7 of 10 again."))  # a repeat: no new message
    run_tasks()
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("bob", "Moderate: Strong craving (Alice)")
    ]
    assert not mail.outbox
    raise_alert(alice, CRAVING.flag("Craving 10 of 10.", level=Severity.URGENT))
    run_tasks()
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_it_tells_every_clinician_when_nobody_is_on_the_care_team(
    dana: Patient, bob: User, carol: User, olivia: User
) -> None:
    raise_alert(dana, CRAVING.flag("Craving 7 of 10 today."))
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"bob"}


def test_it_shows_failed_deliveries_to_the_organization_admin(
    alice: Patient, erin: Patient, olivia: User, client_for: Callable[[User | None], Any],
    run_tasks: Callable[[], None], settings: Any,
) -> None:  # fmt: skip
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    Delivery.objects.bulk_create([])
    for patient in (alice, erin):
        notify(patient.organization, patient.user, REMINDER, dedupe_key=f"k-{patient.pk}")
    Delivery.objects.update(attempts=MAX_ATTEMPTS - 1)
    run_tasks()
    page = client_for(olivia).get("/admin/notifications/delivery/?status=failed")
    rows = list(page.context["cl"].result_list)
    assert [d.to_address for d in rows] == [alice.user.email]
    assert b"SMTP server refused the connection" in page.content


def test_the_admin_can_retry_a_failed_delivery(
    alice: Patient, olivia: User, client_for: Callable[[User | None], Any],
    run_tasks: Callable[[], None], northstar: Organization,
) -> None:  # fmt: skip
    notify(alice.organization, alice.user, REMINDER, dedupe_key="k1")
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS)
    DBTaskResult.objects.all().delete()
    delivery = Delivery.objects.get()
    client_for(olivia).post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )
    run_tasks()
    assert len(mail.outbox) == 1
