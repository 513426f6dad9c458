"""Scheduling, changing and closing appointments, and the missed-appointment rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.appointments import services
from waymark.appointments.models import Appointment, AppointmentChange, AppointmentKind, Outcome
from waymark.appointments.services import AppointmentData
from waymark.appointments.tests.conftest import stored_appointment
from waymark.conftest import NEW_YORK, TODAY, actor, make_member
from waymark.errors import ServiceError
from waymark.organizations.models import Organization, Role
from waymark.patients.models import Episode, Patient

TOMORROW = TODAY + dt.timedelta(days=1)


def data(bob: User, **changes: object) -> AppointmentData:
    base = {"kind": AppointmentKind.INDIVIDUAL, "on": TOMORROW, "at": dt.time(10, 0),
            "minutes": 50, "clinician_id": bob.pk, "place": "Room 2"}  # fmt: skip
    return AppointmentData(**{**base, **changes})  # type: ignore[arg-type]


def test_it_schedules_in_the_organizations_time_zone(alice: Patient, bob: User) -> None:
    appointment = services.schedule_appointment(actor(bob), alice, data(bob, with_others="Mum"))
    assert appointment.starts_at == dt.datetime(2026, 11, 28, 10, 0, tzinfo=NEW_YORK)
    assert appointment.ends_at.astimezone(NEW_YORK).time() == dt.time(10, 50)
    assert appointment.with_others == "Mum"


def test_it_refuses_an_overlapping_appointment_for_the_same_clinician(
    alice: Patient, dana: Patient, bob: User
) -> None:
    services.schedule_appointment(actor(bob), alice, data(bob))
    with pytest.raises(ServiceError) as refused:
        services.schedule_appointment(actor(bob), dana, data(bob, at=dt.time(10, 30)))
    assert refused.value.field == "at"
    assert "already has an appointment from 10:00 to 10:50" in refused.value.message
    assert Appointment.objects.filter(patient=dana).count() == 0
    # Back to back is fine; so is the same time once the first is cancelled.
    services.schedule_appointment(actor(bob), dana, data(bob, at=dt.time(10, 50)))
    first = Appointment.objects.get(patient=alice)
    services.cancel(actor(bob), first, "Clinic closed")
    services.schedule_appointment(actor(bob), dana, data(bob, at=dt.time(10, 0), minutes=30))


def test_it_refuses_a_time_in_the_past_and_a_missing_place(alice: Patient, bob: User) -> None:
    with pytest.raises(ServiceError) as past:
        services.schedule_appointment(actor(bob), alice, data(bob, on=TODAY, at=dt.time(14, 0)))
    assert past.value.field == "on"
    with pytest.raises(ServiceError) as nowhere:
        services.schedule_appointment(actor(bob), alice, data(bob, place=""))
    assert nowhere.value.field == "place"
    assert not Appointment.objects.exists()


def test_it_refuses_another_organizations_patient(erin: Patient, bob: User, carol: User) -> None:
    with pytest.raises(ServiceError) as refused:
        services.schedule_appointment(actor(bob), erin, data(bob))
    assert refused.value.status == 403
    # Carol may not book Bob, who is not of her organization.
    with pytest.raises(ServiceError) as other:
        services.schedule_appointment(actor(carol), erin, data(bob))
    assert other.value.field == "clinician"


def test_it_keeps_the_history_of_reschedules_and_cancellations(alice: Patient, bob: User) -> None:
    appointment = services.schedule_appointment(actor(bob), alice, data(bob))
    with pytest.raises(ServiceError) as no_reason:
        services.reschedule(actor(bob), appointment, TOMORROW, dt.time(11, 0), "  ")
    assert no_reason.value.field == "reason"
    services.reschedule(actor(bob), appointment, TOMORROW, dt.time(11, 0), "Bob is in court")
    services.reschedule(actor(bob), appointment, TOMORROW, dt.time(12, 0), "Alice asked")
    services.cancel(actor(bob), appointment, "Alice is unwell")
    changes = list(AppointmentChange.objects.filter(appointment=appointment))
    assert [(c.kind, c.reason) for c in changes] == [
        ("rescheduled", "Bob is in court"), ("rescheduled", "Alice asked"),
        ("cancelled", "Alice is unwell"),
    ]  # fmt: skip
    assert changes[1].old_starts_at.astimezone(NEW_YORK).hour == 11
    with pytest.raises(ServiceError) as again:
        services.cancel(actor(bob), appointment, "Twice")
    assert again.value.status == 409


def test_it_records_the_outcome_only_after_the_start(
    alice: Patient, bob: User, frozen: object
) -> None:
    appointment = stored_appointment(alice, bob, hours_from_now=2)
    with pytest.raises(ServiceError) as early:
        services.record_outcome(actor(bob), appointment, Outcome.ATTENDED)
    assert early.value.field == "outcome"
    later = timezone.now() + dt.timedelta(hours=3)
    services.record_outcome(actor(bob), appointment, Outcome.ATTENDED, now=later)
    appointment.refresh_from_db()
    assert appointment.outcome == Outcome.ATTENDED
    with pytest.raises(ServiceError):
        services.record_outcome(actor(bob), appointment, Outcome.NO_SHOW, now=later)
    assert not Alert.objects.filter(rule_id="appointments.missed").exists()


def _missed(patient: Patient, bob: User, hours_ago: float) -> Alert:
    appointment = stored_appointment(patient, bob, hours_from_now=-hours_ago)
    services.record_outcome(actor(bob), appointment, Outcome.NO_SHOW)
    return Alert.objects.get(patient=patient, rule_id="appointments.missed")


def test_it_raises_the_missed_appointment_rule_moderate_then_high_after_two(
    alice: Patient, bob: User
) -> None:
    first = _missed(alice, bob, hours_ago=50)
    assert first.severity == Severity.MODERATE
    assert "Did not attend the appointment of" in first.reason
    second = _missed(alice, bob, hours_ago=2)
    assert second.pk == first.pk and second.severity == Severity.HIGH


def test_it_is_moderate_again_when_an_attended_one_comes_between(dana: Patient, bob: User) -> None:
    _missed(dana, bob, hours_ago=80)
    attended = stored_appointment(dana, bob, hours_from_now=-50)
    services.record_outcome(actor(bob), attended, Outcome.ATTENDED)
    assert services.missed_in_a_row(dana) == 0


def test_it_is_high_in_the_weeks_after_a_discharge(northstar: Organization, bob: User) -> None:
    from waymark.conftest import _patient
    from waymark.organizations.models import LevelOfCare

    patient = _patient(northstar, "frank", LevelOfCare.OUTPATIENT, 30)
    Episode.objects.filter(patient=patient).update(
        discharged_on=TODAY - dt.timedelta(days=5), discharge_destination="home"
    )
    assert _missed(patient, bob, hours_ago=2).severity == Severity.HIGH


def test_it_shows_a_clinician_their_week_only(alice: Patient, bob: User, northstar) -> None:
    other = make_member(northstar, "nina", Role.CLINICIAN)
    stored_appointment(alice, bob, hours_from_now=20)
    stored_appointment(alice, other, hours_from_now=22)
    stored_appointment(alice, bob, hours_from_now=24 * 9)
    week = services.week_of(actor(bob), bob, TODAY)
    assert [a.clinician for a in week] == [bob]
