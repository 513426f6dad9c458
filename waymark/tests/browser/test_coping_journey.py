"""A patient with a strong craving: check in, follow the offer to a coping tool, use it
(the use is recorded), and go back home.

Fran is made here, in the server's database, rather than in world.py: a patient who has
never checked in shows "never" in Bob's caseload, which the clinician journey's search
for "Eve" would also match.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from waymark.organizations.models import LevelOfCare
from waymark.tests.browser import world
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import answer_checkin, fits_the_screen, sign_in

FRAN = "fran.browser"
COPING_USES_OF = (
    "SELECT c.tool, c.craving_before, c.craving_after FROM plans_copinguse c "
    "JOIN patients_patient p ON p.id = c.patient_id "
    "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s"
)


def test_it_goes_from_a_high_craving_checkin_to_a_coping_tool_and_back(
    phone: Any, server: Server, tmp_path: Path
) -> None:
    born, level = dt.date(1994, 5, 17), LevelOfCare.RESIDENTIAL
    server.add_patient(tmp_path, FRAN, "Fran", born=born, level=level, clinician=world.BOB)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, FRAN)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()
    page.wait_for_url("**/checkin/")
    answer_checkin(page, craving="8")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**/checkin/*/")
    offer = page.get_by_role("heading", name="Craving is high right now — try a coping tool")
    assert offer.is_visible()

    page.get_by_role("link", name="Try a coping tool").click()
    page.wait_for_url("**/coping/")
    assert fits_the_screen(page)
    breathing = page.locator("#breathing")
    assert breathing.locator(".pacer-circle").is_visible()
    breathing.locator("select[name=craving_before]").select_option("8")
    breathing.locator("select[name=craving_after]").select_option("5")
    breathing.get_by_role("button", name="I used this").click()
    page.wait_for_url("**/coping/")
    assert page.get_by_text("Saved. Well done for riding it out.").is_visible()
    assert "3.0 points" in page.locator(".helps").inner_text()
    assert server.query(COPING_USES_OF, FRAN) == [("breathing", 8, 5)]

    page.get_by_role("link", name="Back to your home").click()
    page.wait_for_url("**/me/")
    assert server.checkins_of(FRAN)[-1][1] == 8
    assert errors == []
