"""reassess() on real rows, called by the check-in service in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from waymark.alerts.models import Alert, Severity
from waymark.checkins.services import CheckInData, UseData, submit_checkin
from waymark.patients.models import Episode, Patient, ProgramStay
from waymark.risk.models import PatientRisk, PendingReassessment, RiskSettings
from waymark.risk.services import reassess

CheckIn_ = Callable[..., None]


@pytest.fixture
def check_in(run_tasks: Callable[[], None]) -> CheckIn_:
    """Submit a check-in through the service, then let the worker run what it enqueued."""

    def submit(patient: Patient, **answers: object) -> None:
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(patient.timezone)).date()
        data = {
            "local_date": today, "craving": 2, "mood": 4, "sleep_hours": Decimal("7"),
            "sleep_quality": 4, "stress": 2, "safety_concern": False, **answers,
        }  # fmt: skip
        submit_checkin(patient, CheckInData(**data), key=uuid.uuid4())  # type: ignore[arg-type]
        run_tasks()

    return submit


def test_the_check_in_enqueues_its_reassessment_in_its_own_transaction(alice: Patient) -> None:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(alice.timezone)).date()
    data = CheckInData(
        local_date=today, craving=9, mood=4, sleep_hours=Decimal("7"), sleep_quality=4,
        stress=2, safety_concern=False,
    )  # fmt: skip
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_checkin(alice, data, key=uuid.uuid4())
        assert PendingReassessment.objects.filter(patient=alice, claimed_at=None).count() == 1
        raise RuntimeError("roll back")
    assert not PendingReassessment.objects.exists()


def test_a_check_in_updates_the_risk_and_its_reasons_at_once(
    alice: Patient, check_in: CheckIn_
) -> None:
    check_in(alice, craving=9)
    risk = PatientRisk.objects.get(patient=alice)
    assert risk.level == Severity.HIGH
    assert [r["rule"] for r in risk.reasons] == ["craving.high"]
    assert risk.reasons[0]["source"].startswith("Serre")
    assert risk.craving_14d[-1] == 9 and len(risk.craving_14d) == 14
    assert Alert.objects.get(rule_id="craving.high").severity == Severity.HIGH


def test_reported_use_is_high_and_the_care_team_sees_why(
    alice: Patient, check_in: CheckIn_
) -> None:
    check_in(alice, uses=(UseData("ketamine", ""),))
    risk = PatientRisk.objects.get(patient=alice)
    assert (risk.level, risk.reasons[0]["rule"]) == (Severity.HIGH, "use.reported")
    assert "ketamine" in risk.reasons[0]["reason"]


def test_a_calm_day_clears_the_level_but_keeps_the_history(
    alice: Patient, check_in: CheckIn_
) -> None:
    check_in(alice)
    assert PatientRisk.objects.get(patient=alice).level == 0


def test_thresholds_follow_the_organizations_settings(alice: Patient, check_in: CheckIn_) -> None:
    RiskSettings.objects.create(organization=alice.organization, craving_high=5, craving_moderate=3)
    check_in(alice, craving=5)
    assert PatientRisk.objects.get(patient=alice).level == Severity.HIGH


def test_an_unchanged_flag_does_not_raise_its_alert_again(
    alice: Patient, check_in: CheckIn_
) -> None:
    check_in(alice, craving=9)
    reassess(alice)
    reassess(alice)
    assert Alert.objects.get(rule_id="craving.high").occurrences == 1


def test_leaving_residential_raises_the_level_one_step(alice: Patient, check_in: CheckIn_) -> None:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(alice.timezone)).date()
    ProgramStay.objects.filter(patient=alice).update(ended_on=today - dt.timedelta(days=3))
    Episode.objects.filter(patient=alice).update(
        discharged_on=today - dt.timedelta(days=3), discharge_destination="home"
    )
    check_in(alice, craving=6)
    risk = PatientRisk.objects.get(patient=alice)
    assert risk.level == Severity.HIGH, "moderate craving, one level up after residential"
    assert risk.reasons[-1]["rule"] == "transition.recent_discharge"
    assert "Left residential treatment 3 days ago" in risk.reasons[-1]["reason"]
