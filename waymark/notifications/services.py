"""Telling people things: the in-app notification, and an e-mail when they want one.

`notify()` runs inside the caller's transaction: the notification, its delivery row
and the task that sends it are committed together with the row that caused them, or
not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from waymark.accounts.hooks import invitation_sender, password_reset_sender
from waymark.accounts.models import User
from waymark.alerts.models import Severity
from waymark.notifications.models import (
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
)
from waymark.organizations.models import Organization
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient


@dataclass(frozen=True)
class Message:
    """What to say. `title` and `body` show in the app only; e-mails stay generic."""

    kind: Kind
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False
    email: bool = True
    # What the notification centre groups by: an alert's severity (alerts.Severity);
    # an urgent message without one counts as urgent, anything else as 0 ("Other").
    severity: int = 0
    # An account e-mail (a password-reset link): sent at once, whatever the person's
    # e-mail preference and quiet hours, and never marked urgent in the app.
    required: bool = False


def preference_for(organization: Organization, user: User) -> NotificationPreference:
    found = NotificationPreference.objects.filter(organization=organization, user=user).first()
    return found or NotificationPreference(organization=organization, user=user)


def local_timezone(organization: Organization, user: User) -> zoneinfo.ZoneInfo:
    """A patient's own time zone, else the organization's."""
    patient = Patient.objects.filter(organization=organization, user=user).only("timezone").first()
    return zoneinfo.ZoneInfo(patient.timezone if patient else organization.timezone)


def next_allowed_time(
    preference: NotificationPreference, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> dt.datetime:
    """`now`, or the end of the person's quiet hours if `now` falls inside them."""
    local = now.astimezone(tz)
    if (
        not preference.is_quiet_at(local.time().replace(tzinfo=None))
        or preference.quiet_end is None
    ):
        return now
    end = dt.datetime.combine(local.date(), preference.quiet_end, tzinfo=tz)
    if end <= local:
        end = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), preference.quiet_end, tzinfo=tz
        )
    return end.astimezone(dt.UTC)


def notify(
    organization: Organization,
    recipient: User,
    message: Message,
    *,
    dedupe_key: str,
    patient: Patient | None = None,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Notify `recipient` once per `dedupe_key`; None if this was already done."""
    from waymark.notifications.tasks import deliver_email, delivery_priority

    now = now or timezone.now()
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            organization=organization,
            dedupe_key=dedupe_key,
            defaults={
                "recipient": recipient,
                "patient": patient,
                "kind": message.kind,
                "title": message.title[:140],
                "body": message.body,
                "url": message.url,
                "is_urgent": message.urgent,
                "severity": message.severity or (Severity.URGENT if message.urgent else 0),
            },
        )
        if not created:
            return None
        preference = preference_for(organization, recipient)
        wants_email = message.email and (
            preference.email_enabled or message.urgent or message.required
        )
        if recipient.email and wants_email:
            # Urgent messages to staff ignore quiet hours; everything else waits.
            send_at = now
            if not (message.urgent or message.required):
                send_at = next_allowed_time(
                    preference, local_timezone(organization, recipient), now
                )
            delivery = Delivery.objects.create(
                organization=organization,
                notification=notification,
                to_address=recipient.email,
                dedupe_key=f"{dedupe_key}:email",
                not_before=send_at,
            )
            deliver_email.using(
                run_after=send_at if send_at > now else None,
                priority=delivery_priority(message.urgent),
            ).enqueue(delivery.pk)
        return notification


@password_reset_sender
def queue_password_reset(user: User) -> bool:
    """Issue 12: a password-reset e-mail through the delivery queue, sent at once whatever
    the person's e-mail preference; the link is made when it is sent (tasks.render_email).
    A person with no active membership (an operator) gets nothing: operators reset
    passwords with manage.py changepassword."""
    message = Message(
        kind=Kind.PASSWORD_RESET,
        title="Password reset requested",
        body="A link to choose a new password was sent to your e-mail address. "
        "If it was not you, you can ignore it.",
        required=True,
    )
    return _queue_account_email(user, message, "password-reset")


@invitation_sender
def queue_invitation(user: User) -> bool:
    """Issue 16, point 7: the invitation to choose a password, through the delivery queue
    (retried, a failed one shown under Deliveries with "try again"), sent at once. Its
    words name no organization and no treatment; the link is made when it is sent."""
    message = Message(
        kind=Kind.ACCOUNT_INVITATION,
        title="Welcome to Waymark",
        body="Your account is ready.",
        required=True,
    )
    return _queue_account_email(user, message, "invitation")


def _queue_account_email(user: User, message: Message, key_prefix: str) -> bool:
    """Queue an e-mail about the person's own account, each one new (a fresh key), within
    their organization; a person with no active membership (an operator) gets nothing."""
    membership = current_membership(user)
    if membership is None:
        return False
    key = f"{key_prefix}:{user.pk}:{uuid.uuid4().hex}"
    return notify(membership.organization, user, message, dedupe_key=key) is not None
