"""What a person does on the pages, for the browser tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from waymark.testing.second_factor import totp_code
from waymark.tests.browser import world


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/signin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", world.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")


def sign_in_as_staff(page: Any, username: str, secret: str = world.BOB_TOTP_SECRET) -> None:
    """Password, then the code from the authenticator (issue 12), as staff sign in.

    Once per test process through the form; a later journey of the same person is given that
    session's cookies, as a second tab would be (a code is good once, so each sign-in after
    the first waited up to 30 s for the next code). The form again if the session has ended.
    test_second_factor_journey.py is the journey of the sign-in itself."""
    kept = _staff_sessions.get(username)
    if kept:
        page.context.add_cookies(kept)
        page.goto("/caseload/")
        if urlsplit(page.url).path == "/caseload/":
            return
    page.goto("/accounts/signin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", world.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/signin/code/**")
    enter_code(page, secret)
    page.wait_for_url("**/caseload/")
    _staff_sessions[username] = page.context.cookies()


_staff_sessions: dict[str, list[Any]] = {}


def enter_code(page: Any, secret: str) -> None:
    """Type the authenticator's current code. A code is good once: if this 30-second code
    was used already (another test signed the same person in), wait for the next one."""
    while int(time.time() // 30) <= _last_step_used.get(secret, -1):
        time.sleep(0.5)
    _last_step_used[secret] = int(time.time() // 30)
    page.fill("input[name=code]", totp_code(secret))
    page.click("button[type=submit]")


_last_step_used: dict[str, int] = {}


def wait_for_the_installed_app(page: Any) -> None:
    """Wait until the service worker controls the page, so the next page loads through it.

    A page that started loading before the worker was active stays uncontrolled until it is
    loaded again (the service worker lifecycle), so wait on the page that registered it.
    """
    wait_until(page, "navigator.serviceWorker.controller !== null")


def installed_app_page(phone: Any, username: str) -> Any:
    """A new page on `phone`, signed in as `username`, once the service worker controls it
    (as on a phone that has opened Waymark before)."""
    page = phone.new_page()
    sign_in(page, username)
    wait_for_the_installed_app(page)
    return page


def wait_until(page: Any, expression: str, *, seconds: float = 10) -> None:
    """Wait until `expression` (or an async function's result) is true in the page.

    Not Playwright's wait_for_function: it evaluates the predicate with eval() inside the
    page, which the Content-Security-Policy refuses (issue 12 point 7); page.evaluate
    runs through the DevTools protocol instead.
    """
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Still false after {seconds} s: {expression}")
        time.sleep(0.05)


def tap(page: Any, field: str, value: str) -> None:
    """Choose one answer of a button-row question (the radio hides under its label)."""
    page.click(f"label.option:has(input[name={field}][value='{value}'])")


def answer_checkin(page: Any, *, craving: str) -> None:
    """A quick check-in: the five scales, hours of sleep and the safety question."""
    tap(page, "craving", craving)
    tap(page, "mood", "3")
    page.fill("#id_sleep_hours", "7.5")
    tap(page, "sleep_quality", "4")
    tap(page, "stress", "3")
    tap(page, "safety", "no")


def check_in_saying_unsafe(page: Any, *, craving: str, day: dt.date | None = None) -> None:
    """A check-in (of `day`, else today) that answers yes to the safety question, saved."""
    page.goto("/checkin/" + (f"?date={day.isoformat()}" if day else ""))
    answer_checkin(page, craving=craving)
    tap(page, "safety", "yes")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**/checkin/*/")


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def show_panel(page: Any, name: str) -> None:
    """Bring a lazy panel of the record (patients/panels.py) into view, as a reader scrolls
    to it, and wait until htmx has put the panel in its place."""
    place = page.locator(f'[data-lazy-panel="{name}"]')
    # Scrolled by script, again each round: Playwright's own scrolling waits for the box to
    # stand still, and on a busy machine the panels loading above it kept it moving past
    # that wait, so it was never scrolled to and never loaded (seen in CI).
    deadline = time.monotonic() + 30
    while place.count():
        with contextlib.suppress(PlaywrightError):  # it was put in place meanwhile
            place.evaluate("element => element.scrollIntoView({block: 'center'})", timeout=1000)
        with contextlib.suppress(PlaywrightError):
            place.wait_for(state="detached", timeout=2000)
            return
        assert time.monotonic() < deadline, f"the {name} panel never loaded"
