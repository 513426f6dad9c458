"""Issue 15 point 1: what matters works offline after one online visit (the check-in, the
help page with the patient's own people, both plans, coping tools, a Learn article read
before), and every other page falls back to a styled offline page with crisis numbers,
the patient's people and "Get help now". The kept pages are the person's own: gone at
sign-out."""

from __future__ import annotations

from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import installed_app_page, wait_until
from waymark.tests.browser.test_offline_cache_journey import NOTHING_KEPT

ARTICLE = "/learn/after-a-lapse/"
# Each page that works offline, and the heading it shows.
WORKS_OFFLINE = {
    "/checkin/": "Today's check-in",
    "/help/": "Get help now",
    "/plan/": "My relapse prevention plan",
    "/safety-plan/": "My safety plan",
    "/coping/": "Coping tools",
}
HALS_PEOPLE = ("tel:555-0161", "tel:555-0162", "tel:555-0163")  # both plans, his supporter
KEPT_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith("waymark-pages-")) { continue; }
    for (const request of await (await caches.open(name)).keys()) {
      paths.push(new URL(request.url).pathname);
    }
  }
  return paths;
}"""


def kept_all(paths: list[str]) -> str:
    return f"({KEPT_PATHS})().then((kept) => {paths!r}.every((p) => kept.includes(p)))"


def assert_hals_crisis_help(page: Any) -> None:
    """The organization's lines, Hal's own people and the care team's phone, one tap each."""
    box = page.locator("[data-crisis-help]").first
    for href in ("tel:911", "tel:988", *HALS_PEOPLE, f"tel:{world.CARE_TEAM_PHONE}"):
        assert box.locator(f"a[href='{href}']").first.is_visible(), href
    assert "not watched around the clock" in box.inner_text()


def test_what_matters_works_offline_after_one_online_visit(phone: Any, server: Server) -> None:
    page = installed_app_page(phone, world.HAL)
    page.goto(ARTICLE)  # one online visit: the article read, and the pages that matter
    wait_until(page, kept_all([*WORKS_OFFLINE, ARTICLE, "/help/offline/"]))

    phone.set_offline(True)
    for path, heading in WORKS_OFFLINE.items():
        page.goto(path)
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), path
        assert not page.get_by_role("heading", name="You're offline").count(), path
    page.goto("/help/")
    assert_hals_crisis_help(page)
    page.goto("/safety-plan/")
    assert "My nephew's football on Saturdays" in page.content()
    assert page.locator("#step-people a[href='tel:5550162']").is_visible()
    page.goto(ARTICLE)
    assert page.locator("main h1").is_visible() and "You're offline" not in page.content()
    phone.set_offline(False)


def test_any_other_page_offline_is_a_styled_page_with_help_and_the_patients_people(
    phone: Any, server: Server
) -> None:
    page = installed_app_page(phone, world.HAL)
    page.goto("/me/")
    wait_until(page, kept_all(["/help/offline/", "/safety-plan/"]))

    phone.set_offline(True)
    page.goto("/questionnaires/")
    assert page.get_by_role("heading", name="You're offline").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert_hals_crisis_help(page)
    assert page.get_by_role("link", name="Get help now").first.is_visible()
    assert page.get_by_role("link", name="My safety plan").is_visible()
    assert "once while" not in page.content()  # no wrong advice: he had opened the pages
    page.get_by_role("link", name="My safety plan").click()
    assert page.get_by_role("heading", name="My safety plan", exact=True).is_visible()
    phone.set_offline(False)

    page.get_by_role("button", name="Sign out").click()  # and gone at sign-out
    page.wait_for_url("**/accounts/signin/")
    wait_until(page, NOTHING_KEPT)
    phone.set_offline(True)
    page.goto("/safety-plan/")
    assert page.get_by_role("heading", name="You're offline").is_visible()
    assert "Aunt May" not in page.content() and "555-0162" not in page.content()
    phone.set_offline(False)
