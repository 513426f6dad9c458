"""Raising alerts. Call inside the transaction that stores the data causing them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertAction, AlertStatus, AlertStep, Severity
from waymark.audit.models import AuditAction
from waymark.audit.services import record
from waymark.organizations.models import Membership, Role
from waymark.patients.models import CareTeamMember, Patient

if TYPE_CHECKING:
    from waymark.access import Actor


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


class AlertError(Exception):
    """An alert step that cannot be taken; the message says why."""


def _step(
    alert: Alert, actor: Actor, step: AlertStep, *, note: str = "", assignee: User | None = None
) -> AlertAction:
    action = AlertAction.objects.create(
        organization_id=alert.organization_id,
        patient_id=alert.patient_id,
        alert=alert,
        actor=actor.user,
        step=step,
        note=note,
        assignee=assignee,
        at=timezone.now(),
    )
    record(
        actor, AuditAction.UPDATE, patient=alert.patient, object_type=f"alert_{step}",
        object_id=str(alert.pk),
    )  # fmt: skip
    return action


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("patient").get(pk=alert.pk)


@transaction.atomic
def acknowledge(alert: Alert, actor: Actor, *, note: str = "") -> Alert:
    """Someone has seen it and is on it: stops the escalation clock."""
    alert = _locked(alert)
    if alert.status != AlertStatus.OPEN:
        raise AlertError(f"This alert is already {alert.get_status_display().lower()}.")
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor.user
    alert.acknowledgement_note = note
    if alert.assigned_to is None:
        alert.assigned_to = actor.user
    alert.save(
        update_fields=[
            "status", "acknowledged_at", "acknowledged_by", "acknowledgement_note", "assigned_to",
        ]
    )  # fmt: skip
    _step(alert, actor, AlertStep.ACKNOWLEDGED, note=note)
    return alert


@transaction.atomic
def assign(alert: Alert, actor: Actor, assignee: User, *, note: str = "") -> Alert:
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        raise AlertError("A resolved alert cannot be assigned.")
    if not Membership.objects.filter(
        organization_id=alert.organization_id,
        user=assignee,
        role__in=[Role.CLINICIAN, Role.ADMIN],
        is_active=True,
    ).exists():
        raise AlertError("Alerts can be assigned only to staff of this organization.")
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to"])
    _step(alert, actor, AlertStep.ASSIGNED, note=note, assignee=assignee)
    return alert


@transaction.atomic
def resolve(alert: Alert, actor: Actor, *, note: str) -> Alert:
    """Close it with a note saying what was done."""
    if not note.strip():
        raise AlertError("Say in a note what was done before resolving the alert.")
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        raise AlertError("This alert is already resolved.")
    now = timezone.now()
    if alert.status == AlertStatus.OPEN:
        alert.acknowledged_at, alert.acknowledged_by = now, actor.user
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at, alert.resolved_by, alert.resolution_note = now, actor.user, note.strip()
    alert.save(
        update_fields=[
            "status", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
            "resolution_note",
        ]
    )  # fmt: skip
    _step(alert, actor, AlertStep.RESOLVED, note=note.strip())
    return alert
