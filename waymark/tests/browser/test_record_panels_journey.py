"""Issue 13 point 4's lazy record panels on a poor connection: a panel whose request is
dropped, or answered with an error, is asked for again, and one that still fails says so and
offers its link instead of staying "busy" for ever (seen in CI under load: a panel's request
failed and the clinician's record never showed appointments)."""

from __future__ import annotations

from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import show_panel, sign_in_as_staff


def _open_alices_record(page: Any) -> None:
    sign_in_as_staff(page, world.BOB)
    page.get_by_role("link", name="Alice", exact=True).first.click()
    page.wait_for_url("**/patients/*/")


def test_it_asks_again_for_a_panel_whose_first_request_was_dropped(
    browser: Any, server: Server
) -> None:
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        dropped: list[str] = []

        def drop_the_first(route: Any) -> None:
            if not dropped:
                dropped.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/panels/appointments_record/", drop_the_first)
        _open_alices_record(page)
        show_panel(page, "appointments_record")
        assert dropped, "the first request for the panel was not made"
        page.locator("#appointments-panel-title").wait_for()
    finally:
        desk.close()


def test_it_says_a_panel_did_not_load_when_every_try_fails(browser: Any, server: Server) -> None:
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = desk.new_page()
        tries: list[str] = []

        def fail(route: Any) -> None:
            tries.append(route.request.url)
            route.fulfill(status=503, body="unavailable")

        page.route("**/panels/appointments_record/", fail)
        _open_alices_record(page)
        place = page.locator('[data-lazy-panel="appointments_record"]')
        place.scroll_into_view_if_needed()
        place.locator("[role=status]").get_by_text("did not load").wait_for()
        assert place.get_attribute("aria-busy") == "false"
        assert 1 < len(tries) <= 4
        # Its link still opens the panel on a page of its own.
        assert place.get_by_role("link", name="Show appointments").get_attribute("href")
    finally:
        desk.close()


def test_it_loads_a_panel_that_was_in_view_only_until_the_panels_above_it_grew(
    browser: Any, server: Server
) -> None:
    """Seen in CI (htmx `revealed`, which looks only on scroll events): the reader scrolled
    to a panel, the panels above it loaded and pushed it out of view before htmx looked, and
    the panel never loaded."""
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 500})
    try:
        page = desk.new_page()
        _open_alices_record(page)
        page.evaluate(
            """() => {
              // Without the browser's scroll anchoring, which only sometimes keeps it in view.
              document.documentElement.style.overflowAnchor = 'none';
              const panel = document.querySelector('[data-lazy-panel="appointments_record"]');
              if (panel.getBoundingClientRect().top < innerHeight) { throw new Error('in view'); }
              panel.scrollIntoView();
              // Two frames later (it has been drawn in view), what is above it grows.
              requestAnimationFrame(() => requestAnimationFrame(() => {
                const tall = document.createElement('div');
                tall.style.height = '3000px';
                panel.parentNode.insertBefore(tall, panel);
              }));
            }"""
        )
        page.locator("#appointments-panel-title").wait_for(state="attached")
    finally:
        desk.close()
