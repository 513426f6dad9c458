"""Reassessing a patient: run the rules, keep the result, raise alerts for new evidence.

Call `reassess(patient)` inside the transaction that stores new data (a check-in, a
questionnaire response, a withdrawal entry, a transition): the risk and any alert
commit with the data that caused them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from waymark.alerts.models import Alert
from waymark.alerts.services import alert_levels, raise_alert
from waymark.checkins.models import CheckIn
from waymark.patients.models import Patient, ProgramStay
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.risk import registry
from waymark.risk import snapshot as snapshots
from waymark.risk.models import PatientRisk, RiskSettings
from waymark.risk.registry import Flag, Snapshot
from waymark.risk.rules import TRANSITION, evaluate


def settings_for(organization_id: int) -> RiskSettings:
    found = RiskSettings.objects.filter(organization_id=organization_id).first()
    return found or RiskSettings(organization_id=organization_id)


def raise_flags(patient: Patient, flags: Iterable[Flag]) -> list[Alert]:
    """Raise (or add an occurrence to) each flag's alert; the alerts that were touched."""
    return [alert for flag in flags if (alert := raise_alert(patient, flag)) is not None]


def alert_now(patient: Patient, snapshot: Snapshot, rule_ids: Iterable[str]) -> list[Flag]:
    """Run some rules on data just stored and raise their alerts in this transaction.

    For what must not wait for the worker (a safety answer, ketamine symptoms): the same
    rules and words as the reassessment, over the part of the snapshot the caller has.
    """
    flags = registry.evaluate(snapshot, settings_for(patient.organization_id), only=rule_ids)
    raise_flags(patient, flags)
    return flags


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


def _program_since(patient: Patient) -> dt.date | None:
    """The start of the patient's open program stay: the caseload's "days in program"."""
    return (
        ProgramStay.objects.filter(
            organization_id=patient.organization_id, patient=patient, ended_on__isnull=True
        )
        .order_by("-started_on")
        .values_list("started_on", flat=True)
        .first()
    )


@transaction.atomic
def reassess(patient: Patient, *, now: dt.datetime | None = None) -> PatientRisk:
    now = now or timezone.now()
    snapshot = snapshots.build(patient, now=now)
    level, flags, transition_note = evaluate(snapshot, settings_for(patient.organization_id))
    raise_flags(patient, flags)
    reasons = [
        {
            "rule": f.rule_id,
            "title": f.rule.title,
            "level": f.level,
            "reason": f.reason,
            "source": f.rule.source,
        }
        for f in sorted(flags, key=lambda f: -f.level)
    ]
    if transition_note:
        reasons.append(
            {
                "rule": TRANSITION.id,
                "title": TRANSITION.title,
                "level": level,
                "reason": transition_note,
                "source": TRANSITION.source,
            }
        )
    last_checkin_on, last_activity_at = _last_activity(patient)
    latest_phq9 = snapshot.phq9[0] if snapshot.phq9 else None
    # Lock the row, then read the alerts: a check-in or an acknowledgement committing
    # meanwhile waits for this transaction, and none of its alert columns is lost.
    risk, _ = PatientRisk.objects.select_for_update().get_or_create(
        organization_id=patient.organization_id, patient=patient, defaults={"assessed_at": now}
    )
    unacked, unresolved = alert_levels(patient)
    risk.set_alert_levels(unacked=unacked, unresolved=unresolved)
    for name, value in {
        "level": level,
        "reasons": reasons,
        "last_checkin_on": last_checkin_on,
        "last_activity_at": last_activity_at,
        "craving_14d": _craving_14d(snapshot),
        "phq9_score": latest_phq9.total if latest_phq9 else None,
        "phq9_band": latest_phq9.band.replace("_", " ") if latest_phq9 else "",
        "phq9_on": latest_phq9.on if latest_phq9 else None,
        "program_since": _program_since(patient),
        "assessed_at": now,
    }.items():
        setattr(risk, name, value)
    risk.save()
    return risk
