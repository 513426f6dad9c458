"""The patient's appointments, calendar files and reminders; the clinician's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.test import Client
from icalendar import Calendar

from waymark.accounts.models import User
from waymark.appointments.jobs import send_appointment_reminders
from waymark.appointments.models import Appointment, AppointmentPreference, LeadTime
from waymark.appointments.tests.conftest import stored_appointment, stored_group, stored_session
from waymark.audit.models import AuditEvent
from waymark.conftest import NEW_YORK, NOW, TODAY
from waymark.notifications.models import Notification
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def schedule(client: Client, patient: Patient, bob: User, **changes: str) -> object:
    data = {"kind": "individual", "on": TOMORROW, "at": "10:00", "minutes": "50",
            "clinician": str(bob.pk), "place": "Room 2", **changes}  # fmt: skip
    return client.post(f"/patients/{patient.pk}/appointments/new/", data)


def test_it_lets_the_patient_download_the_appointment_as_a_calendar_file(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    assert schedule(client_for(bob), alice, bob).status_code == 302  # type: ignore[attr-defined]
    appointment = Appointment.objects.get(patient=alice)
    page = client_for(alice.user).get("/me/appointments/").content.decode()
    assert "Saturday 28 November, 10:00" in page and "Room 2" in page
    response = client_for(alice.user).get(f"/me/appointments/{appointment.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Appointment" and event["LOCATION"] == "Room 2"
    assert event.decoded("DTSTART") == dt.datetime(2026, 11, 28, 10, tzinfo=NEW_YORK)
    assert event.decoded("DTEND") == dt.datetime(2026, 11, 28, 10, 50, tzinfo=NEW_YORK)
    assert event["STATUS"] == "CONFIRMED"
    other = client_for(dana.user).get(f"/me/appointments/{appointment.pk}/calendar.ics")
    assert other.status_code == 404


def test_it_updates_the_calendar_file_after_a_reschedule(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    appointment = stored_appointment(alice, bob)
    refused = client_for(bob).post(f"/appointments/{appointment.pk}/reschedule/",
                                   {"on": TOMORROW, "at": "11:00", "reason": ""})  # fmt: skip
    assert refused.status_code == 422
    moved = client_for(bob).post(
        f"/appointments/{appointment.pk}/reschedule/",
        {"on": TOMORROW, "at": "11:00", "reason": "Room busy"},
    )
    assert moved.status_code == 302
    ics = client_for(alice.user).get(f"/me/appointments/{appointment.pk}/calendar.ics")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == dt.datetime(2026, 11, 28, 11, tzinfo=NEW_YORK)
    assert event["SEQUENCE"] == 1
    detail = client_for(bob).get(f"/appointments/{appointment.pk}/").content.decode()
    assert "Room busy" in detail


def test_it_shows_a_clear_message_for_an_overlap_and_the_past(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    schedule(client, alice, bob)
    overlap = schedule(client, dana, bob, at="10:15")
    assert overlap.status_code == 422  # type: ignore[attr-defined]
    assert "already has an appointment from 10:00 to 10:50" in overlap.content.decode()  # type: ignore[attr-defined]
    past = schedule(client, dana, bob, on=TODAY.isoformat(), at="09:00")
    assert "already passed" in past.content.decode()  # type: ignore[attr-defined]
    assert Appointment.objects.filter(patient=dana).count() == 0


def test_it_answers_404_for_another_organizations_patient_and_appointment(
    erin: Patient, carol: User, bob: User, alice: Patient, client_for: ClientFor
) -> None:
    assert client_for(bob).get(f"/patients/{erin.pk}/appointments/new/").status_code == 404
    appointment = stored_appointment(alice, bob)
    assert client_for(carol).get(f"/appointments/{appointment.pk}/").status_code == 404
    assert client_for(carol).post(f"/appointments/{appointment.pk}/cancel/",
                                  {"reason": "x"}).status_code == 404  # fmt: skip
    appointment.refresh_from_db()
    assert not appointment.is_cancelled


def test_it_shows_upcoming_appointments_on_the_patients_home(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    stored_appointment(alice, bob, hours_from_now=19)
    home = client_for(alice.user).get("/me/").content.decode()
    assert "Coming up" in home and "Sat 28 Nov, 10:00" in home


def test_it_audits_the_clinicians_schedule_and_the_records_list(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    stored_appointment(alice, bob, hours_from_now=19)
    page = client_for(bob).get("/schedule/").content.decode()
    assert "Alice" in page and "10:00–10:50" in page
    assert AuditEvent.objects.filter(patient=alice, object_type="schedule").exists()
    client_for(bob).get(f"/patients/{alice.pk}/appointments/")
    assert AuditEvent.objects.filter(patient=alice, object_type="appointments").exists()


def test_it_reminds_at_the_chosen_lead_time_once_in_neutral_words(
    alice: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    stored_appointment(alice, bob, hours_from_now=19)  # tomorrow at 10:00 in New York
    assert send_appointment_reminders(NOW) == 1
    assert send_appointment_reminders(NOW) == 0
    notification = Notification.objects.get(recipient=alice.user)
    assert notification.title == "You have an appointment tomorrow at 10:00."
    assert notification.kind == "appointment_reminder"

    # One hour before, for someone who chose that; never for someone who chose none.
    assert (
        client_for(alice.user).post("/me/appointments/", {"lead_minutes": "60"}).status_code == 302
    )
    assert AppointmentPreference.objects.get(patient=alice).lead_minutes == LeadTime.ONE_HOUR
    stored_appointment(alice, bob, hours_from_now=20)
    assert send_appointment_reminders(NOW) == 0
    at_nine_ten = NOW + dt.timedelta(hours=19, minutes=10)
    assert send_appointment_reminders(at_nine_ten) == 1
    latest = Notification.objects.filter(recipient=alice.user).order_by("-pk").first()
    assert latest is not None and latest.title == "You have an appointment today at 11:00."
    AppointmentPreference.objects.filter(patient=alice).update(lead_minutes=LeadTime.NONE)
    stored_appointment(alice, bob, hours_from_now=21)
    assert send_appointment_reminders(NOW + dt.timedelta(hours=20, minutes=30)) == 0


def test_it_reminds_every_member_of_a_group_session(
    alice: Patient, dana: Patient, bob: User
) -> None:
    stored_session(stored_group(bob, alice, dana), hours_from_now=3)
    assert send_appointment_reminders(NOW) == 2
