"""An appointment as a calendar file (iCalendar, RFC 5545), written by `icalendar`.

The event's words are neutral, like the reminders: "Appointment" and the place, never a
diagnosis or a treatment, since a calendar is often shared or synced to other devices.
A reschedule raises SEQUENCE, and a cancelled appointment is sent as CANCELLED, so a
calendar that imported it before updates it in place (same UID).
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from waymark.appointments.models import Appointment, AppointmentKind


def summary(appointment: Appointment) -> str:
    return "Group session" if appointment.kind == AppointmentKind.GROUP else "Appointment"


def as_ics(appointment: Appointment, *, host: str, now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Waymark//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if appointment.is_cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
    event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
    event.add("summary", summary(appointment))
    event.add("sequence", appointment.changes.count())
    event.add("status", "CANCELLED" if appointment.is_cancelled else "CONFIRMED")
    if appointment.place:
        event.add("location", appointment.place)
    elif appointment.video_url:
        event.add("location", appointment.video_url)
    if appointment.video_url:
        event.add("url", appointment.video_url)
        event.add("description", f"Join online: {appointment.video_url}")
    calendar.add_component(event)
    return calendar.to_ical()
