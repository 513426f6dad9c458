"""Messages with the care team (issue 17): the patient writes from her phone; Bob sees the
unread count in his navigation, opens the conversation and replies; she sees his reply,
and that he read her message."""

from __future__ import annotations

from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import sign_in, sign_in_as_staff


def test_it_carries_a_message_to_the_care_team_and_the_reply_back(
    browser: Any, phone: Any, server: Server
) -> None:
    patient = phone.new_page()
    sign_in(patient, world.IDA)
    patient.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    patient.wait_for_url("**/messages/")
    assert "Messages are not for emergencies." in patient.inner_text("main")
    patient.get_by_label("Subject").fill("Thursday")
    patient.get_by_label("Message").fill("Could we talk about my weekend plans on Thursday?")
    patient.get_by_role("button", name="Send").click()
    patient.wait_for_url("**/messages/*/")
    patient.get_by_text("Not read yet").wait_for()

    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        sign_in_as_staff(page, world.BOB)
        nav_link = page.get_by_role("navigation", name="Main").locator("[data-nav-messages]")
        assert nav_link.inner_text().split() == ["Messages", "1"]
        nav_link.click()
        page.wait_for_url("**/care/messages/")
        page.get_by_role("link", name="Thursday").click()
        page.wait_for_url("**/patients/*/messages/*/")
        assert "weekend plans" in page.inner_text("main")
        page.get_by_label("Message").fill("Yes — let's make it the first thing we talk about.")
        page.get_by_role("button", name="Send reply").click()
        page.get_by_text("Message sent.").wait_for()
        assert page.locator("[data-nav-messages] .badge").count() == 0
    finally:
        desk.close()

    patient.goto("/messages/")
    assert patient.locator("[data-unread]").inner_text() == "1 new"
    patient.get_by_role("link", name="Thursday").click()
    patient.get_by_text("the first thing we talk about").wait_for()
    receipt = patient.locator("li.mine [data-receipt]").inner_text()
    assert receipt.startswith("Read "), receipt
