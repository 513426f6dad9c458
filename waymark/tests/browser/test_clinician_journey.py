"""The clinician's day: the caseload puts the patient who needs them first, with the reason;
they open her record, acknowledge the alert with a note, and the caseload shows it."""

from __future__ import annotations

import time
from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import check_in_saying_unsafe, sign_in, sign_in_as_staff


def test_it_takes_the_clinician_from_the_caseload_to_an_acknowledged_alert(
    browser: Any, phone: Any, server: Server
) -> None:
    # Eve answers yes to the safety question in her check-in.
    patient = phone.new_page()
    sign_in(patient, world.EVE)
    check_in_saying_unsafe(patient, craving="3")

    # The worker reassesses Eve's risk within a second of her check-in.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not server.query(
        "SELECT r.level FROM risk_patientrisk r JOIN patients_patient p ON p.id = r.patient_id "
        "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s AND r.level > 0",
        world.EVE,
    ):
        time.sleep(0.2)

    # Bob, at his desk, sees Eve first, urgent, with the reason and a new alert.
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        sign_in_as_staff(page, world.BOB)
        first_row = page.locator("table.caseload tbody tr").first
        assert "Eve" in first_row.inner_text()
        assert first_row.locator("td[data-label=Risk]").inner_text() == "Urgent"
        assert "safety question" in first_row.inner_text()
        assert first_row.locator(".alert-new").count() == 1

        first_row.get_by_role("link", name="Eve").click()
        page.wait_for_url("**/patients/*/")
        page.get_by_label("Note (what you are doing)").first.fill(
            "Called Eve; she is safe with her sister tonight."
        )
        page.get_by_role("button", name="Acknowledge").first.click()
        page.get_by_text("Alert acknowledged.").wait_for()

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
        page.wait_for_url("**/caseload/")
        eve = page.get_by_role("link", name="Eve", exact=True)
        row = page.locator("table.caseload tbody tr", has=eve)
        assert row.locator(".alert-new").count() == 0
        assert "Acknowledged by Bob" in row.inner_text()
    finally:
        desk.close()
    note = server.query(
        "SELECT a.acknowledgement_note FROM alerts_alert a "
        "JOIN patients_patient p ON p.id = a.patient_id JOIN accounts_user u ON u.id = p.user_id "
        "WHERE a.rule_id = %s AND u.username = %s",
        "checkin.safety",
        world.EVE,
    )
    assert note == [("Called Eve; she is safe with her sister tonight.",)]
