"""A patient on a phone: check in, see the counter and the chart; and check in offline."""

from __future__ import annotations

import time
from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import (
    answer_checkin,
    fits_the_screen,
    installed_app_page,
    sign_in,
    tap,
    wait_for_the_installed_app,
)

# The body the outbox sent, posted again by hand as a retry would (same idempotency key).
RESEND = """async (body) => {
  const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const response = await fetch("/api/v1/checkins", {method: "POST", body,
    headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
  return response.status;
}"""
CONTROLLED = "navigator.serviceWorker.controller !== null"
ALERTS_OF = (
    "SELECT a.rule_id FROM alerts_alert a JOIN patients_patient p ON p.id = a.patient_id "
    "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s"
)
PENDING = """async () => (await WaymarkOutbox.pending(
  document.getElementById("outbox-status").dataset.user)).length"""


def test_it_lets_the_patient_check_in_then_see_the_counter_and_the_chart(
    phone: Any, server: Server
) -> None:
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, world.ALICE)
    assert page.locator(".checkins-home").get_by_text("Not checked in yet").is_visible()
    wait_for_the_installed_app(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()
    page.wait_for_url("**/checkin/")
    assert page.evaluate(CONTROLLED)  # the form post goes through the service worker
    assert fits_the_screen(page)
    answer_checkin(page, craving="4")
    page.click("label[for=id_use_alcohol]")
    page.fill("#id_amount_alcohol", "1 beer")
    page.get_by_role("button", name="Save check-in").click()

    page.wait_for_url("**/checkin/*/")
    assert page.get_by_role("heading", name="Thank you for checking in").is_visible()
    assert "A lapse doesn't wipe out your progress" in page.content()
    page.goto("/me/")
    home = page.locator(".checkins-home")
    assert home.get_by_text("Checked in", exact=True).is_visible()
    assert home.locator(".counter .stat").first.inner_text() == "40"  # days without ketamine
    assert home.locator(".counter .stat").nth(1).inner_text() == "0"  # alcohol: used today
    charts = home.locator("canvas[data-chart=wellbeing][data-drawn=true]")
    charts.first.wait_for()
    assert charts.count() == 3  # craving, mood, sleep: one scale per chart
    assert charts.first.bounding_box()["width"] > 300
    assert fits_the_screen(page)
    stored = server.checkins_of(world.ALICE)
    assert len(stored) == 14  # 13 days of history and today's, once
    assert str(stored[-1][0]) == world.local_today().isoformat()
    assert stored[-1][1] == 4
    assert errors == []


def test_it_keeps_a_checkin_made_offline_and_stores_it_once_back_online(
    phone: Any, server: Server
) -> None:
    page = phone.new_page()
    sent_bodies: list[str] = []
    page.on(
        "request",
        lambda r: sent_bodies.append(r.post_data) if r.url.endswith("/api/v1/checkins") else None,
    )
    sign_in(page, world.BEA)
    wait_for_the_installed_app(page)  # as on a phone that has opened Waymark before
    page.goto("/checkin/")

    phone.set_offline(True)
    answer_checkin(page, craving="6")
    page.get_by_role("button", name="Save check-in").click()

    status = page.locator("#outbox-status")
    status.get_by_text("saved on this phone").first.wait_for()
    assert page.url.endswith("/checkin/")
    assert server.checkins_of(world.BEA) == []

    phone.set_offline(False)
    status.get_by_text("has been sent").wait_for()
    (stored,) = server.checkins_of(world.BEA)
    assert (str(stored[0]), stored[1]) == (world.local_today().isoformat(), 6)

    # The phone retries (say the answer was lost on the way): the same key stores nothing new.
    (sent,) = sent_bodies
    assert page.evaluate(RESEND, sent) == 200
    page.reload()  # and the emptied outbox sends nothing on the next page
    page.wait_for_load_state("networkidle")
    assert len(server.checkins_of(world.BEA)) == 1
    assert page.evaluate(PENDING) == 0


def test_it_shows_crisis_help_at_once_for_a_yes_made_offline(phone: Any, server: Server) -> None:
    page = phone.new_page()
    sign_in(page, world.CARA)
    page.goto("/checkin/")
    crisis = page.locator("#offline-crisis")
    assert not crisis.is_visible()

    phone.set_offline(True)
    answer_checkin(page, craving="8")
    tap(page, "safety", "yes")
    page.get_by_role("button", name="Save check-in").click()

    crisis.wait_for(state="visible")
    assert crisis.locator("a[href='tel:911']").is_visible()
    assert crisis.locator("a[href='tel:988']").first.is_visible()
    phone.set_offline(False)
    page.locator("#outbox-status").get_by_text("has been sent").wait_for()
    # The safety answer's urgent alert at once; the risk engine's flag for craving 8/10
    # follows from the worker within a second or so.
    assert ("checkin.safety",) in server.query(ALERTS_OF, world.CARA)
    deadline = time.monotonic() + 10
    while len(server.query(ALERTS_OF, world.CARA)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(server.query(ALERTS_OF, world.CARA)) == [("checkin.safety",), ("craving.high",)]


def test_it_keeps_a_form_posted_while_the_server_cannot_be_reached(
    phone: Any, server: Server
) -> None:
    """The phone thinks it is online, but the post fails: the service worker keeps it."""
    page = installed_app_page(phone, world.DEV)
    page.goto("/checkin/")
    answer_checkin(page, craving="2")
    unreachable = "**/checkin/"
    phone.route(unreachable, lambda route: route.abort("connectionrefused")
                if route.request.method == "POST" else route.continue_())  # fmt: skip

    page.get_by_role("button", name="Save check-in").click()

    page.get_by_role("heading", name="Saved on this phone").wait_for()
    assert server.checkins_of(world.DEV) == []
    phone.unroute(unreachable)
    page.goto("/me/")  # back in the app with a connection: the outbox is sent
    page.locator("#outbox-status").get_by_text("has been sent").wait_for()
    assert [craving for _, craving in server.checkins_of(world.DEV)] == [2]


def test_it_shows_the_kept_crisis_help_when_a_yes_is_posted_and_the_server_cannot_be_reached(
    phone: Any, server: Server
) -> None:
    """The service worker's own page says so with the crisis help it kept (/help/offline/:
    the same include as every page), not only a general line."""
    page = installed_app_page(phone, world.GIL)
    page.goto("/checkin/")
    answer_checkin(page, craving="7")
    tap(page, "safety", "yes")
    unreachable = "**/checkin/"
    phone.route(unreachable, lambda route: route.abort("connectionrefused")
                if route.request.method == "POST" else route.continue_())  # fmt: skip

    page.get_by_role("button", name="Save check-in").click()

    page.get_by_role("heading", name="Saved on this phone").wait_for()
    crisis = page.locator("section.crisis")
    assert crisis.get_by_role("heading", name="You don't have to carry this alone").is_visible()
    kept = crisis.locator("[data-crisis-help]")
    assert kept.locator("a[href='tel:911']").is_visible()
    assert kept.locator("a[href='tel:988']").first.is_visible()
    assert "Bob" in kept.inner_text()  # Gil's own care team, from the kept fragment
    phone.unroute(unreachable)


REFUSED_REASON = """async () => {
  const user = document.getElementById("outbox-status").dataset.user;
  const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const far = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10);
  await WaymarkOutbox.queue("/api/v1/checkins", {idempotency_key: WaymarkOutbox.uuid4(),
    date: far, craving: 2, mood: 3, sleep_hours: 7, sleep_quality: 3, stress: 2,
    safety_concern: false}, user, csrf);
  const [outcome] = await WaymarkOutbox.flush(user, csrf);
  const kept = await WaymarkOutbox.pending(user);
  await Promise.all(kept.map((item) => WaymarkOutbox.remove(item.key)));
  return [outcome.outcome, outcome.item.message];
}"""


def test_a_refused_offline_checkin_says_why_in_the_servers_words(
    phone: Any, server: Server
) -> None:
    page = phone.new_page()
    sign_in(page, world.DEV)
    page.goto("/checkin/")
    outcome, message = page.evaluate(REFUSED_REASON)
    assert outcome == "refused"
    assert message == "That day has not started yet where you are."
