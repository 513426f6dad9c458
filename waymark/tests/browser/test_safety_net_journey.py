"""The safety net the second time: Fay answers the safety question "yes" yesterday and
again today. Bob acknowledges the first alert; the second reaches him again as new, and
the caseload puts Fay on top both times (issue 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import check_in_saying_unsafe, sign_in, sign_in_as_staff

FAY_ALERTS_FOR_BOB = (
    "SELECT count(*) FROM notifications_notification n "
    "JOIN accounts_user u ON u.id = n.recipient_id WHERE u.username = %s AND n.kind = 'alert' "
    "AND n.title LIKE %s"
)


def answer_yes(page: Any, day: dt.date | None = None) -> None:
    check_in_saying_unsafe(page, craving="4", day=day)
    page.get_by_text("988").first.wait_for()  # crisis help, at once


def first_row(page: Any) -> Any:
    page.goto("/caseload/")
    return page.locator("table.caseload tbody tr").first


def test_a_second_safety_answer_reaches_the_clinician_again_as_new(
    browser: Any, phone: Any, server: Server
) -> None:
    fay = phone.new_page()
    sign_in(fay, world.FAY)
    answer_yes(fay, world.local_today() - dt.timedelta(days=1))  # yesterday's, filled in late

    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(10_000)
    try:
        bob = desk.new_page()
        sign_in_as_staff(bob, world.BOB)

        row = first_row(bob)
        assert "Fay" in row.inner_text()
        assert row.locator(".alert-new").count() == 1
        assert "needs-ack" in (row.get_attribute("class") or "")
        row.locator(".alert-new").click()
        bob.wait_for_url("**/alerts/*/")
        bob.get_by_label("Note").first.fill("Called Fay; she is with her brother tonight.")
        bob.get_by_role("button", name="Acknowledge").click()
        bob.get_by_text("Alert acknowledged.").wait_for()

        fay_row = bob.locator("table.caseload tbody tr", has=bob.get_by_role("link", name="Fay"))
        bob.goto("/caseload/")
        assert fay_row.locator(".alert-new").count() == 0
        assert "Acknowledged by Bob" in fay_row.inner_text()
        assert server.query(FAY_ALERTS_FOR_BOB, world.BOB, "%Fay%") == [(1,)]

        # The next day's answer is yes again: news, whatever the first alert's state.
        answer_yes(fay)
        row = first_row(bob)
        assert "Fay" in row.inner_text()
        assert row.locator(".alert-new").count() == 1, "new again, to acknowledge again"
        assert "needs-ack" in (row.get_attribute("class") or "")
        assert server.query(FAY_ALERTS_FOR_BOB, world.BOB, "%Fay%") == [(2,)]
        row.locator(".alert-new").click()
        history = bob.locator("ol.alert-history").inner_text()
        assert history.count("care team told") == 2
        assert "Acknowledged by Bob" in history
    finally:
        desk.close()
