"""Background tasks (django-tasks). Each one is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from waymark.notifications.models import Delivery, DeliveryStatus, Kind, Notification
from waymark.registries import Registry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

# Issue 13, point 5: workers take the highest priority first. Every check-in enqueues a
# reassessment at priority 10 (risk/tasks.py), so at default priority (0) an urgent alert's
# e-mail waited behind every reassessment queued before it: 4–11 s under load.
URGENT_DELIVERY_PRIORITY = 50


def delivery_priority(urgent: bool) -> int:
    """Urgent e-mails before anything else; the rest at the default priority."""
    return URGENT_DELIVERY_PRIORITY if urgent else 0


def backoff(attempt: int) -> dt.timedelta:
    """30 s, 2 min, 8 min, 32 min… after the 1st, 2nd, 3rd, 4th failure."""
    return dt.timedelta(seconds=30 * 4 ** (attempt - 1))


EmailTemplates = Callable[[Notification, str], tuple[str, dict[str, Any]]]
# Issue 14: an app whose e-mails say more than "You have a new message" (a supporter's
# invitation, a reach-out with a call link) registers, for its kind, a function giving
# the templates' prefix and context; it runs when the e-mail is sent.
email_templates: Registry[EmailTemplates] = Registry()


def render_email(delivery: Delivery, site_url: str) -> EmailMultiAlternatives:
    """A generic message: no names, substances, scores or diagnoses in subject or body."""
    notification = delivery.notification
    context = {
        "link": site_url.rstrip("/") + (notification.url or "/"),
        "urgent": notification.is_urgent,
    }
    templates = "notifications/email/subject.txt", "notifications/email/message"
    if notification.kind in (Kind.PASSWORD_RESET, Kind.ACCOUNT_INVITATION):
        # Issue 12: the link is made now, at sending; no reset secret is ever stored.
        from waymark.accounts.services import password_reset_link
        from waymark.accounts.tokens import lifetime_words

        context["link"] = password_reset_link(notification.recipient, site_url)
        context["lifetime"] = lifetime_words(notification.recipient)
        context["username"] = notification.recipient.get_username()
        name = "password_reset" if notification.kind == Kind.PASSWORD_RESET else "invitation"
        templates = f"accounts/email/{name}_subject.txt", f"accounts/email/{name}"
    elif (custom := email_templates.get(notification.kind)) is not None:
        prefix, extra = custom(notification, site_url)
        context.update(extra)
        templates = f"{prefix}_subject.txt", prefix
    subject = render_to_string(templates[0], context).strip()
    text = render_to_string(f"{templates[1]}.txt", context)
    html = render_to_string(f"{templates[1]}.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [delivery.to_address],
        headers={"Message-ID": f"<{delivery.dedupe_key.replace(':', '.')}@waymark>"},
    )
    message.attach_alternative(html, "text/html")
    return message


# How long one attempt may take before another run may try again (SMTP timeouts are shorter).
SEND_LEASE = dt.timedelta(minutes=2)


@task(queue_name="deliveries")
def deliver_email(delivery_id: int) -> str:
    """Send one e-mail delivery; retry failures with back-off, then record the failure.

    The row is claimed in one short transaction, the e-mail is sent outside any
    transaction (SQLite would otherwise hold its write lock through an SMTP call), and
    the outcome is saved in a second one. A concurrent run sees the lease and stops; a
    worker that dies mid-send leaves the lease to expire, so the send is retried.
    """
    outcome = _claim(delivery_id)
    if isinstance(outcome, str):
        return outcome
    try:
        render_email(outcome, settings.SITE_URL).send()
    except Exception as error:  # any failure is retried, then recorded
        return _record_failure(outcome, f"{type(error).__name__}: {error}")
    Delivery.objects.filter(pk=outcome.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return "sent"


def _claim(delivery_id: int) -> Delivery | str:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status in {DeliveryStatus.SENT, DeliveryStatus.FAILED}:
            return f"already {delivery.status}"
        if (
            delivery.status == DeliveryStatus.SENDING
            and delivery.lease_until
            and delivery.lease_until > now
        ):
            return "in progress elsewhere"
        if delivery.not_before > now:
            deliver_email.using(
                run_after=delivery.not_before,
                priority=delivery_priority(delivery.notification.is_urgent),
            ).enqueue(delivery.pk)
            return "held"
        delivery.attempts += 1
        delivery.status = DeliveryStatus.SENDING
        delivery.lease_until = now + SEND_LEASE
        delivery.save(update_fields=["attempts", "status", "lease_until"])
        return delivery


def _record_failure(delivery: Delivery, reason: str) -> str:
    now = timezone.now()
    with transaction.atomic():
        delivery.last_error = reason[:2000]
        delivery.lease_until = None
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            logger.error("delivery %s failed for good: %s", delivery.pk, delivery.last_error)
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.not_before = now + backoff(delivery.attempts)
            deliver_email.using(
                run_after=delivery.not_before,
                priority=delivery_priority(delivery.notification.is_urgent),
            ).enqueue(delivery.pk)
        delivery.save(update_fields=["last_error", "lease_until", "status", "not_before"])
    return "failed" if delivery.status == DeliveryStatus.FAILED else "retry"
