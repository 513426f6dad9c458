"""One phone, more than one person (issue 12 point 3): the pages the service worker keeps
for offline use are one person's, and they are gone once that person signs out, once their
session ends, and once someone else signs in."""

from __future__ import annotations

from typing import Any

from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import sign_in, wait_for_the_installed_app, wait_until

# Every page kept in the service worker's caches, as {cache name: [paths]}.
KEPT = """async () => {
  const kept = {};
  for (const name of await caches.keys()) {
    if (!name.startsWith("waymark-pages-")) { continue; }
    const requests = await (await caches.open(name)).keys();
    kept[name] = requests.map((request) => new URL(request.url).pathname).sort();
  }
  return kept;
}"""
NOTHING_KEPT = """async () => (await caches.keys()).every(
  (name) => !name.startsWith("waymark-pages-"))"""
PAGES_KEPT = """async () => {
  for (const name of await caches.keys()) {
    if (!name.startsWith("waymark-pages-")) { continue; }
    const paths = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    if (paths.includes("/me/") && paths.includes("/checkin/")) { return true; }
  }
  return false;
}"""


def keep_pages_for(page: Any, username: str) -> str:
    """Sign in, open two pages the app keeps offline; the name of the cache they are in."""
    sign_in(page, username)
    wait_for_the_installed_app(page)
    return keep_pages_for_signed_in(page)


def keep_pages_for_signed_in(page: Any) -> str:
    page.goto("/checkin/")
    page.goto("/me/")
    wait_until(page, PAGES_KEPT)
    (name,) = page.evaluate(KEPT)
    return str(name)


def test_it_keeps_one_persons_pages_under_a_key_that_does_not_name_them(
    phone: Any, server: Server
) -> None:
    page = phone.new_page()
    name = keep_pages_for(page, world.ALICE)
    key = name.removeprefix("waymark-pages-")
    assert len(key) == 32 and "alice" not in key
    kept = page.evaluate(KEPT)[name]
    assert {"/me/", "/checkin/", "/help/offline/"} <= set(kept)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/signin/")
    wait_until(page, NOTHING_KEPT)
    assert page.evaluate(KEPT) == {}

    phone.set_offline(True)  # and offline, the signed-out phone shows none of her pages
    page.goto("/me/")
    assert page.get_by_role("heading", name="You're offline").is_visible()
    assert "Alice" not in page.content()
    phone.set_offline(False)


def test_it_drops_the_kept_pages_when_the_session_ends(phone: Any, server: Server) -> None:
    page = phone.new_page()
    keep_pages_for(page, world.ALICE)

    phone.clear_cookies()  # the session has ended (expired, or ended on the server)
    page.goto("/me/")
    page.wait_for_url("**/accounts/signin/**")
    wait_until(page, NOTHING_KEPT)


def test_it_drops_the_first_persons_pages_when_another_person_signs_in(
    browser: Any, phone: Any, server: Server
) -> None:
    page = phone.new_page()
    alices = keep_pages_for(page, world.ALICE)

    # Bea signs in on the same phone while Alice is still signed in there (her session
    # cookie replaces Alice's): the first page for Bea drops Alice's kept pages.
    elsewhere = browser.new_context(base_url=server.url)
    sign_in(elsewhere.new_page(), world.BEA)
    phone.add_cookies([c for c in elsewhere.cookies() if c["name"] == "sessionid"])
    elsewhere.close()
    beas = keep_pages_for_signed_in(page)

    assert beas != alices
    assert list(page.evaluate(KEPT)) == [beas]
    phone.set_offline(True)  # offline, the phone shows Bea her own kept home page
    page.goto("/me/")
    assert page.get_by_role("heading", name="Hello, Bea").is_visible()
    phone.set_offline(False)
