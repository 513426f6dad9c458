"""A new clinician's first sign-in: password, then setting up an authenticator (the key
beside the QR code), recovery codes, the caseload; then signing in again with a code
(issue 12 point 1)."""

from __future__ import annotations

import time
from typing import Any

from waymark.testing.second_factor import totp_code
from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server


def sign_in_with_password(page: Any, username: str) -> None:
    page.goto("/accounts/signin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", world.PASSWORD)
    page.click("button[type=submit]")


def test_it_enrols_a_new_clinician_then_signs_him_in_with_a_code(
    browser: Any, server: Server
) -> None:
    desk = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(10_000)
    try:
        page = desk.new_page()
        sign_in_with_password(page, world.NED)
        page.wait_for_url("**/accounts/authenticator/**")
        assert page.locator(".qr-code svg").count() == 1
        secret = page.locator("#totp-secret").inner_text().strip()
        enrolled_at = time.time()
        page.fill("input[name=code]", totp_code(secret, at=enrolled_at))
        page.click("button[type=submit]")
        codes = page.locator("#recovery-codes li")
        codes.first.wait_for()
        assert codes.count() == 10
        page.get_by_role("link", name="I have kept them: continue").click()
        page.wait_for_url("**/caseload/")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/accounts/signin/**")
        sign_in_with_password(page, world.NED)
        page.wait_for_url("**/accounts/signin/code/**")
        page.fill("input[name=code]", "000000")
        page.click("button[type=submit]")
        page.get_by_text("That code is not right").wait_for()
        time.sleep(1.1)  # django-otp waits a second after a wrong code before the next try
        # The enrolment's code is good once: used again, it is refused.
        page.fill("input[name=code]", totp_code(secret, at=enrolled_at))
        page.click("button[type=submit]")
        page.get_by_text("That code is not right").wait_for()
        time.sleep(2.1)  # two wrong codes: two seconds
        # A phone whose clock runs one 30-second step ahead shows the next code, which
        # django-otp accepts (a tolerance of one step), without waiting for it.
        page.fill("input[name=code]", totp_code(secret, at=enrolled_at + 30))
        page.click("button[type=submit]")
        page.wait_for_url("**/caseload/")
    finally:
        desk.close()
