"""Raising alerts. Call inside the transaction that stores the data causing them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.organizations.models import Membership, Role
from waymark.patients.models import CareTeamMember, Patient


@dataclass(frozen=True)
class AlertRule:
    """A rule that can raise an alert: an id, how serious, and where it comes from."""

    id: str
    severity: Severity
    source: str


def raise_alert(
    patient: Patient,
    rule: AlertRule,
    *,
    reason: str,
    evidence_type: str = "",
    evidence_id: str = "",
    severity: Severity | None = None,
) -> Alert:
    """Open an alert for `patient`'s care team, or update the unresolved one for this rule.

    A repeat raises the severity if the new one is higher, never lowers it.
    """
    now = timezone.now()
    level = severity if severity is not None else rule.severity
    with transaction.atomic():
        existing = (
            Alert.objects.select_for_update()
            .filter(organization_id=patient.organization_id, patient=patient, rule_id=rule.id)
            .exclude(status=AlertStatus.RESOLVED)
            .first()
        )
        if existing is not None:
            return _repeat(existing, level, reason, evidence_type, evidence_id, now)
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    organization_id=patient.organization_id,
                    patient=patient,
                    rule_id=rule.id,
                    severity=level,
                    reason=reason[:300],
                    source=rule.source[:300],
                    evidence_type=evidence_type,
                    evidence_id=evidence_id,
                    created_at=now,
                    last_seen_at=now,
                )
                tell_care_team(alert)
                return alert
        except IntegrityError:
            # Another request opened it first: treat this one as a repeat.
            existing = Alert.objects.select_for_update().get(
                organization_id=patient.organization_id,
                patient=patient,
                rule_id=rule.id,
                status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
            )
            return _repeat(existing, level, reason, evidence_type, evidence_id, now)


def _repeat(
    alert: Alert, level: int, reason: str, evidence_type: str, evidence_id: str, now: object
) -> Alert:
    alert.occurrences += 1
    alert.last_seen_at = now  # type: ignore[assignment]
    alert.reason = reason[:300]
    alert.evidence_type, alert.evidence_id = evidence_type, evidence_id
    raised = level > alert.severity
    alert.severity = max(alert.severity, level)
    alert.save(
        update_fields=[
            "occurrences", "last_seen_at", "reason", "evidence_type", "evidence_id", "severity",
        ]
    )  # fmt: skip
    if raised:
        tell_care_team(alert)
    return alert


def care_team_users(patient: Patient) -> list[User]:
    """The patient's care team; with none assigned, every active clinician of the organization."""
    team = [
        member.clinician
        for member in CareTeamMember.objects.filter(
            organization_id=patient.organization_id, patient=patient, clinician__is_active=True
        ).select_related("clinician")
    ]
    if team:
        return team
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=patient.organization_id,
            role=Role.CLINICIAN,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def tell_care_team(alert: Alert) -> None:
    """In-app for every new or raised alert; e-mail too when it is urgent."""
    from waymark.notifications.models import Kind
    from waymark.notifications.services import Message, notify

    patient = alert.patient
    message = Message(
        kind=Kind.ALERT,
        title=f"{alert.get_severity_display()} flag for {patient.preferred_name}",
        body=alert.reason,
        url=reverse("patients:detail", args=[patient.pk]),
        urgent=alert.is_urgent,
        email=alert.is_urgent,  # the inbox is enough for the rest; urgent ones also e-mail
    )
    for user in care_team_users(patient):
        notify(
            patient.organization,
            user,
            message,
            dedupe_key=f"alert:{alert.pk}:{alert.severity}:{user.pk}",
            patient=patient,
        )
