from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from waymark.alerts.models import Alert, Severity
from waymark.checkins.models import CheckIn
from waymark.notifications.models import Kind, Notification, NotificationPreference
from waymark.notifications.reminders import detect_missed_checkins, send_checkin_reminders
from waymark.patients.models import Episode, Patient
from waymark.risk.models import PatientRisk

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    """A New York wall-clock time, as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK, fold=fold)


def check_in(patient: Patient, day: dt.date) -> None:
    now = timezone.now()
    CheckIn.objects.create(
        organization=patient.organization, patient=patient, local_date=day, craving=2, mood=3,
        sleep_hours=7, sleep_quality=3, stress=3, safety_concern=False, completed_at=now,
        completed_on=day, submitted_at=now, updated_at=now,
    )  # fmt: skip


def reminders() -> list[str]:
    return list(
        Notification.objects.filter(kind=Kind.CHECKIN_REMINDER).values_list("dedupe_key", flat=True)
    )


def prefer(patient: Patient, time: dt.time, **extra: object) -> None:
    NotificationPreference.objects.create(
        organization=patient.organization, user=patient.user, reminder_time=time, **extra
    )


@pytest.fixture
def new_yorker(alice: Patient) -> Patient:
    alice.timezone = "America/New_York"
    alice.save()
    return alice


def test_it_reminds_at_the_chosen_local_time_once_a_day(new_yorker: Patient) -> None:
    prefer(new_yorker, dt.time(19, 30))
    assert send_checkin_reminders(at(2026, 11, 27, 19, 29)) == 0
    assert send_checkin_reminders(at(2026, 11, 27, 19, 30)) == 1
    assert send_checkin_reminders(at(2026, 11, 27, 19, 31)) == 0, "once per local day"
    assert reminders() == [f"checkin-reminder:{new_yorker.pk}:2026-11-27"]
    assert send_checkin_reminders(at(2026, 11, 28, 19, 30)) == 1


def test_it_does_not_remind_someone_who_has_checked_in(new_yorker: Patient) -> None:
    check_in(new_yorker, dt.date(2026, 11, 27))
    assert send_checkin_reminders(at(2026, 11, 27, 20, 0)) == 0
    assert send_checkin_reminders(at(2026, 11, 28, 20, 0)) == 1


def test_it_uses_the_patients_own_time_zone(alice: Patient, erin: Patient) -> None:
    # Alice is in New York, Erin in London: 20:00 default reminders five hours apart.
    alice.timezone = "America/New_York"
    alice.save()
    erin.timezone = "Europe/London"
    erin.save()
    london_evening = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
    assert send_checkin_reminders(london_evening) == 1
    assert send_checkin_reminders(london_evening + dt.timedelta(hours=5)) == 1
    assert [key.split(":")[1] for key in reminders()] == [str(alice.pk), str(erin.pk)]


def test_it_respects_turning_reminders_off(new_yorker: Patient) -> None:
    prefer(new_yorker, dt.time(20, 0), reminders_enabled=False)
    assert send_checkin_reminders(at(2026, 11, 27, 20, 0)) == 0


def test_it_does_not_send_long_after_the_time(new_yorker: Patient) -> None:
    assert send_checkin_reminders(at(2026, 11, 27, 23, 0)) == 0


def test_spring_forward_a_time_that_does_not_exist_goes_at_the_next_real_minute(
    new_yorker: Patient,
) -> None:
    # 8 March 2026: New York clocks jump from 02:00 to 03:00.
    prefer(new_yorker, dt.time(2, 30))
    just_before = dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC)  # 01:59 EST
    assert send_checkin_reminders(just_before) == 0
    assert send_checkin_reminders(at(2026, 3, 8, 3, 0)) == 1
    assert send_checkin_reminders(at(2026, 3, 8, 3, 30)) == 0


def test_fall_back_a_time_that_happens_twice_reminds_once(new_yorker: Patient) -> None:
    # 1 November 2026: New York clocks go back from 02:00 to 01:00; 01:30 happens twice.
    prefer(new_yorker, dt.time(1, 30))
    assert send_checkin_reminders(at(2026, 11, 1, 1, 30, fold=0)) == 1
    assert send_checkin_reminders(at(2026, 11, 1, 1, 30, fold=1)) == 0
    assert len(reminders()) == 1


def test_the_same_evening_time_is_the_same_local_time_across_the_change(
    new_yorker: Patient,
) -> None:
    # 20:00 New York is 00:00 UTC in summer (EDT) and 01:00 UTC in winter (EST).
    assert send_checkin_reminders(dt.datetime(2026, 10, 31, 0, 0, tzinfo=dt.UTC)) == 1
    assert send_checkin_reminders(dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)) == 0
    assert send_checkin_reminders(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)) == 1
    assert [key.rsplit(":", 1)[1] for key in reminders()] == ["2026-11-01", "2026-10-30"]


def test_it_flags_missed_check_ins_for_the_care_team(new_yorker: Patient) -> None:
    # In care since October, so early November is inside the time we expect check-ins.
    Patient.objects.filter(pk=new_yorker.pk).update(created_at=at(2026, 10, 1, 9))
    Episode.objects.filter(patient=new_yorker).update(admitted_on=dt.date(2026, 10, 1))
    new_yorker.refresh_from_db()
    with time_machine.travel(at(2026, 11, 1, 9), tick=False):
        check_in(new_yorker, dt.date(2026, 11, 1))
    assert detect_missed_checkins(at(2026, 11, 3, 12)) == 0, "2 quiet days: nothing to do"
    assert detect_missed_checkins(at(2026, 11, 4, 12)) == 1
    alert = Alert.objects.get(rule_id="checkin.missed")
    assert (alert.severity, alert.reason) == (Severity.MODERATE, "No check-in for 3 days.")
    detect_missed_checkins(at(2026, 11, 5, 12))
    alert.refresh_from_db()
    assert (Alert.objects.count(), alert.occurrences) == (1, 1), "already flagged at this level"
    detect_missed_checkins(at(2026, 11, 8, 12))
    alert.refresh_from_db()
    assert (alert.severity, alert.reason) == (Severity.HIGH, "No check-in for 7 days.")
    assert PatientRisk.objects.get(patient=new_yorker).level == Severity.HIGH


def test_it_reminds_once_when_a_questionnaire_is_due_and_once_when_overdue(alice: Patient) -> None:
    from waymark.notifications.reminders import send_questionnaire_reminders
    from waymark.questionnaires.tests.helpers import make_due

    alice.timezone = "America/New_York"
    alice.save()
    with time_machine.travel(at(2026, 11, 27, 12), tick=False):
        make_due(alice, "phq-9")
    assert send_questionnaire_reminders(at(2026, 11, 27, 19, 0)) == 0, "before her reminder time"
    assert send_questionnaire_reminders(at(2026, 11, 27, 20, 0)) == 1
    assert send_questionnaire_reminders(at(2026, 11, 27, 20, 30)) == 0, "once per stage"
    notification = Notification.objects.get()
    assert notification.url == "/questionnaires/", "a neutral link: the list, not the form"
    assert notification.title == "A questionnaire is ready for you"
    assert "PHQ" not in notification.title + notification.body


def test_two_open_questionnaires_make_one_reminder_that_says_how_many(alice: Patient) -> None:
    from waymark.notifications.reminders import send_questionnaire_reminders
    from waymark.questionnaires.tests.helpers import make_due

    alice.timezone = "America/New_York"
    alice.save()
    with time_machine.travel(at(2026, 11, 27, 12), tick=False):
        make_due(alice, "phq-9")
        make_due(alice, "gad-7")
    assert send_questionnaire_reminders(at(2026, 11, 27, 20, 0)) == 1
    assert send_questionnaire_reminders(at(2026, 11, 27, 20, 30)) == 0

    (notification,) = Notification.objects.filter(kind=Kind.QUESTIONNAIRE_DUE)
    assert notification.title == "2 questionnaires are ready for you"
    assert notification.url == "/questionnaires/"
    for name in ("PHQ", "GAD", "phq-9", "gad-7", "anxiety", "depress"):
        assert name not in f"{notification.title} {notification.body} {notification.url}"


def test_no_reminder_when_nothing_is_due(alice: Patient) -> None:
    from waymark.notifications.reminders import send_questionnaire_reminders

    assert send_questionnaire_reminders(dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)) == 0


def test_the_missed_check_in_job_reads_a_constant_number_of_queries(
    alice: Patient, dana: Patient, erin: Patient
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Nobody has been quiet for 3 days yet, so nobody is reassessed: only the reads remain.
    quiet_morning = timezone.now()
    with CaptureQueriesContext(connection) as few:
        detect_missed_checkins(quiet_morning)
    for number in range(10):
        from waymark.conftest import _patient
        from waymark.organizations.models import LevelOfCare

        _patient(alice.organization, f"extra{number}", LevelOfCare.OUTPATIENT, 0)
    with CaptureQueriesContext(connection) as many:
        detect_missed_checkins(quiet_morning)
    assert len(many) == len(few)
