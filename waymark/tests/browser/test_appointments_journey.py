"""Appointments and groups (issue 17): Bob schedules an appointment for Alice and she adds
it to her calendar from her phone; Bob runs a group, records everyone's attendance in one
screen, and the group note appears in both attendees' records."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from pathlib import Path
from typing import Any

from icalendar import Calendar

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import show_panel, sign_in, sign_in_as_staff

NOTE = "Topic: weekend plans. Each member named one risky moment and what they will do instead."


def _patient_id(server: Server, username: str) -> str:
    rows = server.query(
        "SELECT p.id FROM patients_patient p JOIN accounts_user u ON u.id = p.user_id "
        "WHERE u.username = %s",
        username,
    )
    return str(uuid.UUID(str(rows[0][0])))


def _start_an_hour_ago(server: Server, group: str) -> None:
    """Time passes: the session Bob booked for tomorrow has started (the server's clock
    cannot be moved, so its start is)."""
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    value: Any = an_hour_ago
    if server.database_url.startswith("sqlite"):
        value = an_hour_ago.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")
    server.query(
        "UPDATE appointments_appointment SET starts_at = %s WHERE group_id IN "
        "(SELECT id FROM appointments_group WHERE name = %s) RETURNING id",
        value,
        group,
    )


def _schedule(page: Any, *, on: dt.date, at: str, minutes: str, place: str) -> None:
    page.fill("input[name=on]", on.isoformat())
    page.fill("input[name=at]", at)
    page.fill("input[name=minutes]", minutes)
    page.fill("input[name=place]", place)
    page.get_by_role("button", name="Schedule").click()


def test_it_takes_an_appointment_to_the_patients_calendar_and_a_group_note_to_two_records(
    browser: Any, phone: Any, server: Server
) -> None:
    tomorrow = world.local_today() + dt.timedelta(days=1)
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        bob = desk.new_page()
        sign_in_as_staff(bob, world.BOB)
        # Bob schedules an individual session with Alice from her record.
        bob.get_by_role("link", name="Alice", exact=True).first.click()
        bob.wait_for_url("**/patients/*/")
        show_panel(bob, "appointments_record")
        bob.locator("#appointments-panel-title").wait_for()
        bob.get_by_role("link", name="Schedule", exact=True).last.click()
        bob.wait_for_url("**/appointments/new/")
        _schedule(bob, on=tomorrow, at="10:00", minutes="50", place="Room 2, Main Street")
        bob.wait_for_url("**/patients/*/appointments/")
        assert "10:00–10:50" in bob.inner_text("main")

        # Alice, on her phone, sees it and adds it to her calendar.
        alice = phone.new_page()
        sign_in(alice, world.ALICE)
        assert "Coming up" in alice.inner_text("main")
        alice.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Appointments"
        ).click()
        alice.wait_for_url("**/me/appointments/")
        with alice.expect_download() as download:
            alice.get_by_role("link", name="Add to my calendar").first.click()
        content = Path(download.value.path()).read_bytes()
        event = Calendar.from_ical(content).walk("VEVENT")[0]
        assert event["SUMMARY"] == "Appointment"
        assert event["LOCATION"] == "Room 2, Main Street"
        start = event.decoded("DTSTART")
        assert (event.decoded("DTEND") - event.decoded("DTSTART")) == dt.timedelta(minutes=50)
        local = start.astimezone(zoneinfo.ZoneInfo(world.TIMEZONE))
        assert (local.date(), local.hour, local.minute) == (tomorrow, 10, 0)

        # Bob makes a group of Bea and Cara and books its session.
        bob.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
        bob.get_by_role("link", name="New group").click()
        bob.fill("input[name=name]", "IOP Monday/Wednesday/Friday")
        bob.get_by_label("Bea", exact=True).check()
        bob.get_by_label("Cara", exact=True).check()
        bob.get_by_role("button", name="Create group").click()
        bob.wait_for_url("**/groups/*/")
        bob.get_by_role("link", name="Schedule a session").click()
        _schedule(bob, on=tomorrow, at="18:00", minutes="90", place="Group room")
        bob.wait_for_url("**/groups/*/")
        _start_an_hour_ago(server, "IOP Monday/Wednesday/Friday")

        # The session has started: Bob records everyone's attendance and the group note.
        bob.reload()
        bob.locator("main ul").last.get_by_role("link").first.click()
        bob.wait_for_url("**/attendance/")
        bob.get_by_label("Bea: their own line").fill("Shared her plan for Friday night.")
        bob.get_by_label("Cara: their own line").fill("Joined the role play.")
        bob.get_by_label("Group note").fill(NOTE)
        bob.get_by_role("button", name="Sign and file").click()
        bob.get_by_text("Signed by").wait_for()

        for username, own_line in ((world.BEA, "Friday night"), (world.CARA, "role play")):
            bob.goto(f"/patients/{_patient_id(server, username)}/")
            show_panel(bob, "appointments_record")
            panel = bob.locator("section", has=bob.locator("#appointments-panel-title"))
            text = panel.inner_text()
            assert "weekend plans" in text and own_line in text
    finally:
        desk.close()
