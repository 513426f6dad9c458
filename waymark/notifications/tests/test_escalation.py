from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.core import mail
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus
from waymark.alerts.services import raise_alert
from waymark.audit.models import AuditEvent
from waymark.conftest import make_user
from waymark.notifications.jobs import escalate_alerts
from waymark.notifications.models import Kind, Notification
from waymark.organizations.models import Membership, Organization, Role
from waymark.organizations.services import add_member
from waymark.patients.models import Patient
from waymark.risk.rules import CHECKIN_SAFETY, CRAVING_HIGH

SAFETY = CHECKIN_SAFETY
START = dt.datetime(2026, 1, 15, 15, 0, tzinfo=dt.UTC)  # in the past: e-mails are due at once


def on_call(organization: Organization, username: str) -> User:
    user = make_user(username)
    membership = add_member(organization, user, Role.CLINICIAN)
    Membership.objects.filter(pk=membership.pk).update(is_on_call=True)
    return user


def escalations() -> list[str]:
    return list(
        Notification.objects.filter(kind=Kind.ESCALATION).values_list(
            "recipient__username", flat=True
        )
    )


def test_it_escalates_an_unacknowledged_urgent_alert_to_on_call_clinicians(
    alice: Patient, bob: User, northstar: Organization, run_tasks: Callable[[], None]
) -> None:
    uma = on_call(northstar, "uma")
    with time_machine.travel(START, tick=False):
        alert = raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    assert escalate_alerts(START + dt.timedelta(minutes=14)) == 0
    assert escalate_alerts(START + dt.timedelta(minutes=15)) == 1
    assert escalations() == ["uma"]
    alert.refresh_from_db()
    assert alert.escalated_at == START + dt.timedelta(minutes=15)
    event = AuditEvent.objects.get(object_type="alert_escalation")
    assert (event.actor, event.actor_role, event.patient) == (None, "system", alice)
    run_tasks()
    assert uma.email in [m.to[0] for m in mail.outbox]
    assert escalate_alerts(START + dt.timedelta(minutes=30)) == 0, "escalates only once"
    assert escalations() == ["uma"]


def test_it_does_not_escalate_an_acknowledged_alert(
    alice: Patient, bob: User, northstar: Organization
) -> None:
    on_call(northstar, "uma")
    with time_machine.travel(START, tick=False):
        alert = raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    Alert.objects.filter(pk=alert.pk).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_by=bob, acknowledged_at=timezone.now()
    )
    assert escalate_alerts(START + dt.timedelta(hours=1)) == 0
    assert escalations() == []


def test_it_follows_the_organizations_time_limit(
    alice: Patient, bob: User, northstar: Organization
) -> None:
    northstar.urgent_ack_minutes = 5
    northstar.save()
    with time_machine.travel(START, tick=False):
        raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    assert escalate_alerts(START + dt.timedelta(minutes=5)) == 1
    # Nobody is on call: every clinician and admin of the organization hears of it.
    assert escalations() == ["bob"]


def test_it_does_not_escalate_lower_severities(alice: Patient, bob: User) -> None:
    with time_machine.travel(START, tick=False):
        raise_alert(alice, CRAVING_HIGH.flag("Craving 9."))
    assert escalate_alerts(START + dt.timedelta(hours=2)) == 0


def test_it_keeps_each_organization_to_itself(
    alice: Patient, erin: Patient, carol: User, northstar: Organization
) -> None:
    on_call(northstar, "uma")
    with time_machine.travel(START, tick=False):
        raise_alert(alice, SAFETY.flag("Answered yes to the safety question."))
    escalate_alerts(START + dt.timedelta(minutes=20))
    assert "carol" not in escalations()
