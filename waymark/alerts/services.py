"""Raising alerts. Call inside the transaction that stores the data causing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from waymark.access import Capability, roles_with
from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertAction, AlertOccurrence, AlertStatus, AlertStep
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.organizations.models import Membership, Role
from waymark.patients.models import CareTeamMember, Patient

if TYPE_CHECKING:
    from waymark.access import Actor
    from waymark.risk.registry import Flag


def raise_alert(patient: Patient, flag: Flag, *, now: dt.datetime | None = None) -> Alert | None:
    """Record an occurrence of `flag` for `patient`'s care team; tell them when it is news.

    - An unresolved alert for the rule takes the occurrence (count, last seen, evidence);
      the severity rises with it, never falls. A safety rule's new occurrence tells the
      care team again, makes an acknowledged alert new again and restarts the escalation
      clock; other rules tell again only when the severity rises.
    - With no unresolved alert, an occurrence already seen (by a resolved alert) is not
      news and returns None; any other opens a new alert and tells the care team.
    Call inside the transaction that stores the data causing it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        existing = _unresolved(patient, flag.rule_id)
        if existing is not None:
            return _repeat(existing, flag, now)
        if AlertOccurrence.objects.filter(
            organization_id=patient.organization_id, patient=patient, rule_id=flag.rule_id,
            key=flag.occurrence_key,
        ).exists():  # fmt: skip
            return None
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    organization_id=patient.organization_id,
                    patient=patient,
                    rule_id=flag.rule_id,
                    severity=flag.level,
                    reason=flag.reason[:300],
                    source=flag.rule.source[:300],
                    evidence_type=flag.evidence_type,
                    evidence_id=flag.evidence_id[:64],
                    created_at=now,
                    last_seen_at=now,
                    notified_at=now,
                )
        except IntegrityError:
            # Another request opened it first: this one is a repeat of it.
            existing = _unresolved(patient, flag.rule_id)
            assert existing is not None
            return _repeat(existing, flag, now)
        occurrence = _occurrence(alert, flag, now, notified=True)
        tell_care_team(alert, dedupe=f"o{occurrence.pk}")
        refresh_alert_summary(patient)
        return alert


def _unresolved(patient: Patient, rule_id: str) -> Alert | None:
    return (
        Alert.objects.select_for_update()
        .filter(organization_id=patient.organization_id, patient=patient, rule_id=rule_id)
        .exclude(status=AlertStatus.RESOLVED)
        .first()
    )


def _occurrence(alert: Alert, flag: Flag, now: dt.datetime, *, notified: bool) -> AlertOccurrence:
    return AlertOccurrence.objects.create(
        organization_id=alert.organization_id,
        patient_id=alert.patient_id,
        alert=alert,
        rule_id=alert.rule_id,
        key=flag.occurrence_key,
        severity=flag.level,
        reason=flag.reason[:300],
        evidence_type=flag.evidence_type,
        evidence_id=flag.evidence_id[:64],
        notified=notified,
        at=now,
    )


def _repeat(alert: Alert, flag: Flag, now: dt.datetime) -> Alert:
    raised = flag.level > alert.severity
    alert.severity = max(alert.severity, flag.level)
    fields = ["severity"]
    seen = alert.occurrence_rows.filter(key=flag.occurrence_key).exists()
    occurrence = None
    if not seen:
        alert.occurrences += 1
        alert.last_seen_at = now
        alert.reason = flag.reason[:300]
        alert.evidence_type, alert.evidence_id = flag.evidence_type, flag.evidence_id[:64]
        fields += ["occurrences", "last_seen_at", "reason", "evidence_type", "evidence_id"]
    # A new safety occurrence, or a rise in severity, is news: it is told, an urgent one needs
    # acknowledging again, and the escalation clock starts over.
    news = raised or (not seen and flag.rule.safety)
    if news:
        alert.escalated_at, alert.notified_at = None, now
        fields += ["escalated_at", "notified_at"]
        if flag.rule.safety or alert.is_urgent:
            alert.status = AlertStatus.OPEN
            alert.acknowledged_at = alert.acknowledged_by = None
            fields += ["status", "acknowledged_at", "acknowledged_by"]
    if not seen or raised:
        alert.save(update_fields=fields)
    if not seen:
        occurrence = _occurrence(alert, flag, now, notified=news)
    if news:
        occasion = f"o{occurrence.pk}" if occurrence is not None else f"s{alert.severity}"
        tell_care_team(alert, dedupe=occasion)
    if not seen or raised:
        refresh_alert_summary(alert.patient)
    return alert


def alert_levels(patient: Patient) -> tuple[int, int]:
    """The highest severity of the patient's unacknowledged and of their unresolved alerts."""
    levels = Alert.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).aggregate(
        unacked=Max("severity", filter=Q(status=AlertStatus.OPEN)),
        unresolved=Max("severity", filter=~Q(status=AlertStatus.RESOLVED)),
    )
    return levels["unacked"] or 0, levels["unresolved"] or 0


def refresh_alert_summary(patient: Patient) -> None:
    """Keep the caseload's view of the patient's alerts current (one locked row, one write).

    An unacknowledged urgent alert puts the patient at the top of every caseload; any
    unacknowledged alert lifts the patient to at least its severity. The row is locked
    before the alerts are read, and only the alert columns are written, so a reassessment
    running at the same time cannot write back an older view (see risk.services.reassess).
    """
    from waymark.risk.models import PatientRisk

    risk, _ = PatientRisk.objects.select_for_update().get_or_create(
        organization_id=patient.organization_id,
        patient=patient,
        defaults={"assessed_at": timezone.now()},
    )
    unacked, unresolved = alert_levels(patient)
    risk.set_alert_levels(unacked=unacked, unresolved=unresolved)
    risk.save(update_fields=PatientRisk.ALERT_FIELDS)


def care_team_users(patient: Patient) -> list[User]:
    """The patient's care team; with none assigned, every active clinician of the organization.

    Only people who hold an active clinician membership of the patient's organization
    receive clinical alerts: never a supporter, a patient, or someone who has left.
    """
    clinicians = Membership.objects.filter(
        organization_id=patient.organization_id, role=Role.CLINICIAN, is_active=True
    ).values("user_id")
    team = [
        member.clinician
        for member in CareTeamMember.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            clinician__is_active=True,
            clinician_id__in=clinicians,
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


def tell_care_team(alert: Alert, *, dedupe: str) -> None:
    """In-app for every new or raised alert; e-mail too when it is urgent.

    `dedupe` names the occasion (an occurrence, a severity), so a retried task or a
    second reassessment never tells anyone twice about the same thing.
    """
    from waymark.notifications.models import Kind
    from waymark.notifications.services import Message, notify

    patient = alert.patient
    message = Message(
        kind=Kind.ALERT,
        title=f"{alert.get_severity_display()}: {alert.title} ({patient.preferred_name})",
        body=alert.reason,
        url=reverse("patients:detail", args=[patient.pk]),
        urgent=alert.is_urgent,
        email=alert.is_urgent,  # the inbox is enough for the rest; urgent ones also e-mail
        severity=alert.severity,
    )
    for user in care_team_users(patient):
        notify(
            patient.organization,
            user,
            message,
            dedupe_key=f"alert:{alert.pk}:{dedupe}:{user.pk}",
            patient=patient,
        )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    occurrence: AlertOccurrence | None = None
    action: AlertAction | None = None


def history(alert: Alert) -> list[HistoryEntry]:
    """What happened to an alert, oldest first: each occurrence (with whether the care team
    was told) and each step people took."""
    entries = [HistoryEntry(o.at, occurrence=o) for o in alert.occurrence_rows.all()]
    entries += [
        HistoryEntry(a.at, action=a) for a in alert.actions.select_related("actor", "assignee")
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.action is not None))


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
        actor,
        AuditAction.UPDATE,
        patient=alert.patient,
        object_type=AuditObject(f"alert_{step}"),  # alert_acknowledged, alert_assigned, …
        object_id=str(alert.pk),
    )
    return action


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("patient").get(pk=alert.pk)


@transaction.atomic
def acknowledge(alert: Alert, actor: Actor, *, note: str = "") -> Alert:
    """Someone has seen it and is on it: stops the escalation clock."""
    alert = _locked(alert)
    if alert.status != AlertStatus.OPEN:
        raise ServiceError(
            f"This alert is already {alert.get_status_display().lower()}.",
            status=409,
            code="conflict",
        )
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
    refresh_alert_summary(alert.patient)
    return alert


@transaction.atomic
def assign(alert: Alert, actor: Actor, assignee: User, *, note: str = "") -> Alert:
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        raise ServiceError("A resolved alert cannot be assigned.", status=409, code="conflict")
    if not Membership.objects.filter(
        organization_id=alert.organization_id,
        user=assignee,
        role__in=roles_with(Capability.ACT_ON_ALERTS),
        is_active=True,
    ).exists():
        raise ServiceError(
            "Alerts can be assigned only to staff of this organization.", field="assignee"
        )
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to"])
    _step(alert, actor, AlertStep.ASSIGNED, note=note, assignee=assignee)
    return alert


@transaction.atomic
def resolve(alert: Alert, actor: Actor, *, note: str) -> Alert:
    """Close it with a note saying what was done."""
    if not note.strip():
        raise ServiceError("Say in a note what was done before resolving the alert.", field="note")
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        raise ServiceError("This alert is already resolved.", status=409, code="conflict")
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
    refresh_alert_summary(alert.patient)
    return alert
