"""Tap targets (issue 15 point 5): on a phone, every link and button in the patient's top
bar — the menu, "Get help now", Sign out — is at least 44 px tall (WCAG 2.5.5)."""

from __future__ import annotations

from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.pages import sign_in

SMALLEST = 44


def test_it_gives_every_menu_link_and_button_a_44_px_target_on_a_phone(phone: Any) -> None:
    page = phone.new_page()
    sign_in(page, world.ALICE)
    targets = page.evaluate(
        """() => [...document.querySelectorAll('.topbar a, .topbar button')]
            .filter((el) => el.getClientRects().length > 0)
            .map((el) => ({
              text: el.textContent.trim(), height: el.getBoundingClientRect().height,
            }))"""
    )
    names = [target["text"] for target in targets]
    assert "Get help now" in names and "Sign out" in names and "Check in" in names
    too_small = [target for target in targets if target["height"] < SMALLEST]
    assert too_small == [], f"tap targets under {SMALLEST} px: {too_small}"
