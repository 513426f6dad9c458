"""Upgrading an existing database: alerts raised before occurrences were kept are not news
again, and a patient with an open urgent alert but no risk row still tops the caseload."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from decimal import Decimal

import time_machine
from django.apps import apps
from django.utils import timezone

from waymark.alerts.models import Alert, AlertOccurrence, AlertStatus, Severity
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.conftest import TODAY
from waymark.notifications.models import Notification
from waymark.patients.models import Patient
from waymark.risk.models import PatientRisk
from waymark.risk.services import reassess

occurrences = importlib.import_module("waymark.alerts.migrations.0003_alert_occurrences")
risk_rows = importlib.import_module("waymark.risk.migrations.0002_caseload_alert_order")
NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=zoneinfo.ZoneInfo("America/New_York"))


def old_checkin(patient: Patient, back: int, **answers: object) -> CheckIn:
    day = TODAY - dt.timedelta(days=back)
    at = NOON - dt.timedelta(days=back)
    values: dict[str, object] = {
        "craving": 2, "mood": 4, "sleep_hours": Decimal(7), "sleep_quality": 4, "stress": 2,
        "safety_concern": False,
    }  # fmt: skip
    values.update(answers)
    return CheckIn.objects.create(
        organization=patient.organization, patient=patient, local_date=day, completed_at=at,
        completed_on=day, submitted_at=at, updated_at=at, **values,
    )  # fmt: skip


def old_alert(
    patient: Patient, rule_id: str, severity: int, evidence: str, **more: object
) -> Alert:
    """An alert as the first version stored it: no occurrence rows, no notified_at."""
    return Alert.objects.create(
        organization=patient.organization, patient=patient, rule_id=rule_id, severity=severity,
        reason="Old.", evidence_type="checkin", evidence_id=evidence, created_at=timezone.now(),
        last_seen_at=timezone.now(), **more,
    )  # fmt: skip


def test_resolved_alerts_from_before_the_upgrade_stay_resolved(alice: Patient) -> None:
    with time_machine.travel(NOON, tick=False):
        safety = old_checkin(alice, 2, safety_concern=True)
        lapse = old_checkin(alice, 1)
        SubstanceUse.objects.create(
            organization=alice.organization, patient=alice, checkin=lapse, substance="ketamine",
            used_on=lapse.local_date,
        )  # fmt: skip
        for rule, severity, checkin in (
            ("checkin.safety", Severity.URGENT, safety),
            ("use.reported", Severity.HIGH, lapse),
        ):
            old_alert(alice, rule, severity, str(checkin.pk), status=AlertStatus.RESOLVED)

        occurrences.existing_occurrences(apps, None)
        assert set(AlertOccurrence.objects.values_list("key", flat=True)) == {
            f"checkin:{safety.pk}:r1",
            f"use:{lapse.pk}:ketamine",
        }
        reassess(alice)

    assert not Alert.objects.exclude(status=AlertStatus.RESOLVED).exists()
    assert not Notification.objects.exists(), "nothing old is news again"


def test_a_patient_with_an_open_alert_and_no_risk_row_gets_one_on_top(dana: Patient) -> None:
    old_alert(dana, "detox.talk_to_staff", Severity.URGENT, "1")
    PatientRisk.objects.filter(patient=dana).delete()

    risk_rows.alert_levels(apps, None)

    risk = PatientRisk.objects.get(patient=dana)
    assert (risk.urgent_unacked, risk.sort_level) == (True, Severity.URGENT)
