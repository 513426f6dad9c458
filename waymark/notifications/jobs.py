"""Periodic jobs. The scheduler enqueues each once a minute; each is safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record_system
from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.notifications.worker import recover_stalled_tasks
from waymark.organizations.models import Membership, Organization, Role


def on_call_staff(organization: Organization) -> list[Membership]:
    """The on-call clinicians; if nobody is on call, every active clinician.

    Only clinicians receive clinical alerts (DESIGN, safety-net semantics). An organization
    with no active clinician has nobody to escalate to: its alerts stay unescalated (and
    keep being tried) rather than being marked as escalated to nobody.
    """
    clinicians = Membership.objects.filter(
        organization=organization, is_active=True, user__is_active=True, role=Role.CLINICIAN
    ).select_related("user")
    return [m for m in clinicians if m.is_on_call] or list(clinicians)


def escalate_alerts(now: dt.datetime) -> int:
    """Urgent alerts nobody acknowledged in the organization's time go to the on-call staff.

    The clock starts when the care team was last told (`notified_at`): a new safety
    occurrence makes an alert new again and starts it over, so it escalates again.
    """
    escalated = 0
    for organization in Organization.objects.filter(
        Q(pk__in=Alert.objects.filter(status=AlertStatus.OPEN).values("organization_id"))
    ):
        deadline = now - dt.timedelta(minutes=organization.urgent_ack_minutes)
        overdue = Alert.objects.filter(
            organization=organization,
            status=AlertStatus.OPEN,
            severity__gte=Severity.URGENT,
            escalated_at__isnull=True,
            notified_at__lte=deadline,
        ).select_related("patient")
        staff = on_call_staff(organization)
        if not staff:
            continue
        for alert in overdue:
            with transaction.atomic():
                locked = Alert.objects.select_for_update().get(pk=alert.pk)
                if locked.escalated_at is not None or locked.status != AlertStatus.OPEN:
                    continue
                minutes = organization.urgent_ack_minutes
                message = Message(
                    kind=Kind.ESCALATION,
                    title=f"Urgent alert for {alert.patient.preferred_name} is unacknowledged",
                    body=f"{alert.reason} Nobody has acknowledged it in {minutes} minutes.",
                    url=reverse("patients:detail", args=[alert.patient_id]),
                    urgent=True,
                    severity=alert.severity,
                )
                for member in staff:
                    notify(
                        organization,
                        member.user,
                        message,
                        dedupe_key=f"escalation:{alert.pk}:{locked.occurrences}:{member.user_id}",
                        patient=alert.patient,
                        now=now,
                    )
                locked.escalated_at = now
                locked.save(update_fields=["escalated_at"])
                record_system(
                    AuditAction.UPDATE,
                    patient=alert.patient,
                    object_type=AuditObject.ALERT_ESCALATION,
                    object_id=str(alert.pk),
                )
                escalated += 1
    return escalated


@task()
def escalate_alerts_job(minute: str) -> int:
    return escalate_alerts(max(dt.datetime.fromisoformat(minute), timezone.now()))


@task()
def recover_stalled_tasks_job(minute: str) -> int:
    return recover_stalled_tasks()


@task()
def checkin_reminders_job(minute: str) -> int:
    from waymark.notifications.reminders import send_checkin_reminders

    return send_checkin_reminders(max(dt.datetime.fromisoformat(minute), timezone.now()))


@task()
def questionnaire_reminders_job(minute: str) -> int:
    from waymark.notifications.reminders import send_questionnaire_reminders

    return send_questionnaire_reminders(max(dt.datetime.fromisoformat(minute), timezone.now()))


@task()
def missed_checkins_job(minute: str) -> int:
    from waymark.notifications.reminders import detect_missed_checkins

    return detect_missed_checkins(max(dt.datetime.fromisoformat(minute), timezone.now()))
