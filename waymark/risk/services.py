"""Reassessing a patient: run the rules, keep the result, raise alerts for new evidence.

Call `reassess(patient)` inside the transaction that stores new data (a check-in, a
questionnaire response, a withdrawal entry, a transition): the risk and any alert
commit with the data that caused them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from waymark.alerts.models import Alert, Severity
from waymark.alerts.services import AlertRule, raise_alert
from waymark.checkins.models import CheckIn
from waymark.patients.models import Patient
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.risk import snapshot as snapshots
from waymark.risk.models import PatientRisk, RiskSettings
from waymark.risk.rules import SOURCES, TRANSITION_SOURCE, Flag, Snapshot, evaluate


def settings_for(organization_id: int) -> RiskSettings:
    found = RiskSettings.objects.filter(organization_id=organization_id).first()
    return found or RiskSettings(organization_id=organization_id)


def _alert_if_new(patient: Patient, flag: Flag) -> None:
    """Raise an alert unless one already covers this evidence at this level (even resolved)."""
    evidence = flag.evidence_id or f"level-{flag.level}"
    if Alert.objects.filter(
        organization_id=patient.organization_id, patient=patient, rule_id=flag.rule_id,
        evidence_id=evidence, severity__gte=flag.level,
    ).exists():  # fmt: skip
        return
    raise_alert(
        patient,
        AlertRule(flag.rule_id, Severity(flag.level), SOURCES.get(flag.rule_id, "")),
        reason=flag.reason,
        evidence_type=flag.evidence_type,
        evidence_id=evidence,
        severity=Severity(flag.level),
    )


def _craving_14d(snapshot: Snapshot) -> list[int | None]:
    by_day = {checkin.day: checkin.craving for checkin in snapshot.checkins}
    return [by_day.get(snapshot.today - dt.timedelta(days=back)) for back in range(13, -1, -1)]


def _last_activity(patient: Patient) -> tuple[dt.date | None, dt.datetime | None]:
    checkins = CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
    latest = checkins.aggregate(day=Max("local_date"), at=Max("submitted_at"))
    answered = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).aggregate(at=Max("submitted_at"))["at"]
    times = [t for t in (latest["at"], answered) if t is not None]
    return latest["day"], max(times) if times else None


@transaction.atomic
def reassess(patient: Patient, *, now: dt.datetime | None = None) -> PatientRisk:
    now = now or timezone.now()
    snapshot = snapshots.build(patient, now=now)
    level, flags, transition_note = evaluate(snapshot, settings_for(patient.organization_id))
    for flag in flags:
        _alert_if_new(patient, flag)
    reasons = [
        {
            "rule": f.rule_id,
            "level": f.level,
            "reason": f.reason,
            "source": SOURCES.get(f.rule_id, ""),
        }
        for f in sorted(flags, key=lambda f: -f.level)
    ]
    if transition_note:
        reasons.append(
            {
                "rule": "transition",
                "level": level,
                "reason": transition_note,
                "source": TRANSITION_SOURCE,
            }
        )
    last_checkin_on, last_activity_at = _last_activity(patient)
    latest_phq9 = snapshot.phq9[0] if snapshot.phq9 else None
    risk, _ = PatientRisk.objects.update_or_create(
        organization_id=patient.organization_id,
        patient=patient,
        defaults={
            "level": level,
            "reasons": reasons,
            "last_checkin_on": last_checkin_on,
            "last_activity_at": last_activity_at,
            "craving_14d": _craving_14d(snapshot),
            "phq9_score": latest_phq9.total if latest_phq9 else None,
            "phq9_band": latest_phq9.band.replace("_", " ") if latest_phq9 else "",
            "phq9_on": latest_phq9.on if latest_phq9 else None,
            "assessed_at": now,
        },
    )
    return risk
