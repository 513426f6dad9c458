"""The hourly missed check-in job watches recently discharged patients too (issue 10).

Seen in the first version: the job covered patients in care only, so a discharged
patient's silence went unnoticed, and nothing checked a follow-up after discharge.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts import services as alerts
from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.checkins.models import CheckIn
from waymark.conftest import _patient, actor, program
from waymark.notifications.models import Kind, Notification
from waymark.notifications.reminders import detect_missed_checkins
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Episode, Patient
from waymark.patients.services import admit
from waymark.patients.transitions import discharge_patient
from waymark.risk.models import PatientRisk
from waymark.risk.rules import CRAVING_HIGH

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")  # Northstar's and its patients' time zone
DISCHARGED = dt.date(2026, 11, 20)
FOLLOW_UP = dt.date(2026, 11, 27)


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=NEW_YORK)


def check_in(patient: Patient, day: dt.date) -> None:
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK), tick=False):
        now = timezone.now()
        CheckIn.objects.create(
            organization=patient.organization, patient=patient, local_date=day, craving=2,
            mood=3, sleep_hours=7, sleep_quality=3, stress=3, safety_concern=False,
            completed_at=now, completed_on=day, submitted_at=now, updated_at=now,
        )  # fmt: skip


def discharge(patient: Patient, bob: User, on: dt.date, follow_up_on: dt.date) -> None:
    with time_machine.travel(dt.datetime.combine(on, dt.time(15), tzinfo=NEW_YORK), tick=False):
        discharge_patient(
            actor(bob), patient, on=on, destination="home", today=on,
            aftercare_plan="Outpatient group on Tuesdays.", follow_up_on=follow_up_on,
        )  # fmt: skip


@pytest.fixture
def discharged_alice(alice: Patient, bob: User) -> Patient:
    """Alice left residential care on 20 Nov; someone should be in touch by 27 Nov."""
    Patient.objects.filter(pk=alice.pk).update(created_at=at(10, 1))
    alice.refresh_from_db()
    check_in(alice, DISCHARGED)  # on the discharge day itself: not a follow-up
    discharge(alice, bob, DISCHARGED, FOLLOW_UP)
    return alice


def follow_up_alerts() -> list[Alert]:
    return list(Alert.objects.filter(rule_id="discharge.follow_up_due"))


def told(bob: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=bob, kind=Kind.ALERT).values_list("title", flat=True)
    )


def test_it_alerts_the_care_team_once_when_the_follow_up_date_passes_without_contact(
    discharged_alice: Patient, bob: User
) -> None:
    detect_missed_checkins(at(11, 27, 23))
    assert follow_up_alerts() == [], "the follow-up date is today: not passed yet"
    detect_missed_checkins(at(11, 28, 1))
    (alert,) = follow_up_alerts()
    assert (alert.severity, alert.status) == (Severity.HIGH, AlertStatus.OPEN)
    assert "Follow-up was due by 27 Nov" in alert.reason and "NCQA" in alert.source
    assert told(bob).count("High: Follow-up after discharge is due (Alice)") == 1
    for hour in (2, 3, 14):
        detect_missed_checkins(at(11, 28, hour))
    detect_missed_checkins(at(11, 29, 9))
    alert.refresh_from_db()
    assert (len(follow_up_alerts()), alert.occurrences) == (1, 1), "one alert per discharge"
    assert told(bob).count("High: Follow-up after discharge is due (Alice)") == 1
    reasons = PatientRisk.objects.get(patient=discharged_alice).reasons
    assert "discharge.follow_up_due" in [reason["rule"] for reason in reasons]


def _checked_in(patient: Patient, bob: User) -> None:
    check_in(patient, dt.date(2026, 11, 22))


def _answered_a_questionnaire(patient: Patient, bob: User) -> None:
    from waymark.questionnaires.tests.helpers import phq9, recorded

    with time_machine.travel(at(11, 22), tick=False):
        recorded(patient, "phq-9", phq9([0] * 9), days_ago=0)


def _signed_a_note(patient: Patient, bob: User) -> None:
    from waymark.notes.services import start_note

    with time_machine.travel(at(11, 22), tick=False):
        start_note(
            actor(bob), patient, note_format="dap", sign=True,
            sections={"data": "Phone call.", "assessment": "Settling in.", "plan": "Group."},
        )  # fmt: skip


def _acknowledged_an_alert(patient: Patient, bob: User) -> None:
    with time_machine.travel(at(11, 22), tick=False):
        alert = alerts.raise_alert(patient, CRAVING_HIGH.flag("Craving 9/10 on 22 Nov."))
        assert alert is not None
        alerts.acknowledge(alert, actor(bob), note="Called her: she is at the group.")


@pytest.mark.parametrize(
    "contact", [_checked_in, _answered_a_questionnaire, _signed_a_note, _acknowledged_an_alert]
)
def test_any_contact_after_the_discharge_day_is_a_follow_up(
    discharged_alice: Patient, bob: User, contact: Callable[[Patient, User], None]
) -> None:
    contact(discharged_alice, bob)
    detect_missed_checkins(at(11, 28, 1))
    assert follow_up_alerts() == []


def test_missed_check_ins_after_a_discharge_are_noticed_and_weigh_one_level_more(
    discharged_alice: Patient,
) -> None:
    check_in(discharged_alice, dt.date(2026, 11, 21))
    assert detect_missed_checkins(at(11, 23)) == 0, "2 quiet days: nothing to do"
    assert detect_missed_checkins(at(11, 24)) == 1
    alert = Alert.objects.get(rule_id="checkin.missed")
    assert alert.severity == Severity.HIGH
    assert alert.reason == (
        "No check-in for 3 days, within 30 days of leaving residential care (discharged "
        "20 Nov): one level higher."
    )


def test_the_watch_ends_after_the_window_and_the_job_clears_it(
    discharged_alice: Patient, bob: User
) -> None:
    def watched() -> bool:
        reasons = PatientRisk.objects.get(patient=discharged_alice).reasons
        return "transition.recent_discharge" in [reason["rule"] for reason in reasons]

    assert watched()
    assert detect_missed_checkins(at(12, 20)) == 1, "day 30: still watched"
    assert watched()
    assert detect_missed_checkins(at(12, 21)) == 1, "the day after: once more, to clear it"
    assert not watched()
    assert detect_missed_checkins(at(12, 22)) == 0, "no longer in the job's set"


def test_a_readmitted_patient_is_watched_as_in_care(discharged_alice: Patient) -> None:
    admit(discharged_alice, program(discharged_alice.organization, LevelOfCare.OUTPATIENT),
          on=dt.date(2026, 11, 25))  # fmt: skip
    detect_missed_checkins(at(11, 28, 1))
    assert follow_up_alerts() == []


def test_the_job_reads_a_constant_number_of_queries_with_discharged_patients(
    alice: Patient, bob: User
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            patient = _patient(
                alice.organization, f"gone{Patient.objects.count()}", LevelOfCare.DETOX, 5
            )
            Episode.objects.filter(patient=patient).update(
                discharged_on=dt.date(2026, 11, 26), discharge_destination="home",
                follow_up_on=dt.date(2026, 12, 3),
            )  # fmt: skip
            check_in(patient, dt.date(2026, 11, 27))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert detect_missed_checkins(at(11, 28)) == 0, "nobody quiet, no follow-up passed"
        return len(captured)

    add(2)
    few = queries()
    add(10)
    assert queries() == few


def test_a_later_discharge_is_followed_up_again_after_the_first_was_resolved(
    discharged_alice: Patient, bob: User
) -> None:
    detect_missed_checkins(at(11, 28, 1))
    (first,) = follow_up_alerts()
    with time_machine.travel(at(11, 28, 10), tick=False):
        alerts.resolve(first, actor(bob), note="Reached her; she is back in group.")
    detect_missed_checkins(at(11, 28, 14))
    assert len(follow_up_alerts()) == 1, "the same discharge is not news again"

    with time_machine.travel(at(11, 29, 9), tick=False):
        admit(discharged_alice, program(discharged_alice.organization, LevelOfCare.DETOX),
              on=dt.date(2026, 11, 29))  # fmt: skip
    check_in(discharged_alice, dt.date(2026, 12, 1))
    discharge(discharged_alice, bob, dt.date(2026, 12, 2), dt.date(2026, 12, 5))
    detect_missed_checkins(at(12, 6, 1))

    alerts_now = sorted(follow_up_alerts(), key=lambda alert: alert.created_at)
    assert [a.status for a in alerts_now] == [AlertStatus.RESOLVED, AlertStatus.OPEN]
    assert "Follow-up was due by 5 Dec" in alerts_now[1].reason
    assert told(bob).count("High: Follow-up after discharge is due (Alice)") == 2
