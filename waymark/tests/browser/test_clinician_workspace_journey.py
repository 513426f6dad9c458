"""Issue 16, point 9: a clinician at a desk finds a patient by her surname, sorts the
caseload by last check-in, opens the record and reads who she is from the header, prints
the summary, answers the open alert with a signed note, and the caseload row says who
acknowledged it."""

from __future__ import annotations

from typing import Any

from waymark.testing.pdf_text import pdf_text
from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import (
    check_in_saying_unsafe,
    show_panel,
    sign_in,
    sign_in_as_staff,
)

SURNAME = world.KIM_LEGAL_NAME.split()[-1]


def test_it_takes_the_clinician_from_a_search_to_an_alert_answered_with_a_note(
    browser: Any, phone: Any, server: Server
) -> None:
    # Kim answers yes to the safety question: an urgent alert is open for her.
    patient = phone.new_page()
    sign_in(patient, world.KIM)
    check_in_saying_unsafe(patient, craving="4")

    desk = browser.new_context(base_url=server.url, viewport={"width": 1440, "height": 900})
    try:
        page = desk.new_page()
        sign_in_as_staff(page, world.BOB)
        page.goto("/caseload/")

        # The search narrows the rows as Bob types her surname (htmx, no page load).
        page.get_by_role("searchbox").fill(SURNAME)
        page.get_by_text(f"Matching “{SURNAME}”").wait_for()
        rows = page.locator("table.caseload tbody tr")
        assert rows.count() == 1
        assert "Kim" in rows.first.inner_text()

        # Sorting by last check-in keeps the search.
        page.locator("th[data-sort=checkin] a").click()
        page.get_by_text("Sorted by last check-in").wait_for()
        assert "sort=" in page.url and f"q={SURNAME}" in page.url
        assert page.locator("th[data-sort=checkin]").get_attribute("aria-sort") != "none"
        kim = page.locator("table.caseload tbody tr").first
        assert "Kim" in kim.inner_text() and kim.locator(".alert-new").count() == 1

        kim.get_by_role("link", name="Kim", exact=True).click()
        page.wait_for_url("**/patients/*/")
        header = page.locator("header.record-header")
        assert world.KIM_LEGAL_NAME in header.inner_text()
        record_number = header.locator(".record-number").inner_text().strip()
        assert record_number
        assert world.KIM_ALLERGIES in header.locator(".record-allergies").inner_text()
        assert "urgent" in header.locator(".record-flags").inner_text().lower()
        # The check-ins panel comes after the page (issue 13 point 4), its chart drawn.
        show_panel(page, "checkins")
        page.locator("canvas[data-chart=wellbeing][data-drawn=true]").first.wait_for()

        # The print view and the one-page summary identify her the same way.
        page.get_by_role("link", name="Print record").click()
        page.wait_for_url("**/print/")
        printed = page.locator("body").inner_text()
        assert world.KIM_LEGAL_NAME in printed and record_number in printed
        page.go_back()
        summary_href = page.get_by_role("link", name="Summary (PDF)").get_attribute("href")
        summary = page.request.get(summary_href)
        assert summary.headers["content-type"] == "application/pdf"
        assert record_number in pdf_text(summary.body())

        # A note that answers the open alert; signing it acknowledges the alert.
        show_panel(page, "notes")
        page.get_by_role("link", name="New note").first.click()
        page.wait_for_url("**/notes/new/**")
        page.get_by_label("Duration (minutes)").fill("25")
        alert_choice = page.get_by_label("Answers the alert")
        alert_choice.select_option(index=1)
        page.get_by_label("Data").fill("Phoned Kim after her safety answer; she is at home.")
        page.get_by_label("Assessment").fill("Safe tonight; her sister is with her.")
        page.get_by_label("Plan").fill("Call again tomorrow morning; review her safety plan.")
        page.get_by_role("button", name="Save and sign").click()
        page.wait_for_url("**/notes/*/")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
        page.wait_for_url("**/caseload/")
        page.get_by_role("searchbox").fill(SURNAME)
        page.get_by_text(f"Matching “{SURNAME}”").wait_for()
        row = page.locator("table.caseload tbody tr").first
        assert row.locator(".alert-new").count() == 0
        assert "Acknowledged by Bob" in row.locator(".alert-acked").first.inner_text()
    finally:
        desk.close()

    acknowledged = server.query(
        "SELECT a.status FROM alerts_alert a JOIN patients_patient p ON p.id = a.patient_id "
        "JOIN accounts_user u ON u.id = p.user_id WHERE a.rule_id = %s AND u.username = %s",
        "checkin.safety",
        world.KIM,
    )
    assert acknowledged == [("acknowledged",)]
