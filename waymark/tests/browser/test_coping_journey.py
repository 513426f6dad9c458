"""A patient with a strong craving: check in, follow the offer to a coping tool, use it
(the use is recorded), and go back home.

Fran is made here, in the server's database, rather than in world.py: a patient who has
never checked in shows "never" in Bob's caseload, which the clinician journey's search
for "Eve" would also match.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import answer_checkin, fits_the_screen, sign_in

FRAN = "fran.browser"
MAKE_FRAN = f"""
import datetime as dt
import django
django.setup()
from waymark.accounts.models import User
from waymark.organizations.models import LevelOfCare, Organization, Program, Role
from waymark.organizations.services import add_member
from waymark.patients.services import admit, assign_clinician, enroll_patient
from waymark.tests.browser import world
organization = Organization.objects.get(slug="northstar")
user = User.objects.create_user(username="{FRAN}", password=world.PASSWORD, first_name="Fran",
                                email="{FRAN}@example.org")
start = world.local_today() - dt.timedelta(days=40)
patient = enroll_patient(organization, user, preferred_name="Fran",
                         date_of_birth=dt.date(1994, 5, 17), substances=["ketamine"],
                         recovery_start_date=start)
admit(patient, Program.objects.get(organization=organization,
                                   level=LevelOfCare.RESIDENTIAL), on=start)
assign_clinician(patient, User.objects.get(username=world.BOB), primary=True)
"""
COPING_USES_OF = (
    "SELECT c.tool, c.craving_before, c.craving_after FROM plans_copinguse c "
    "JOIN patients_patient p ON p.id = c.patient_id "
    "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s"
)


def make_fran(server: Server, var_dir: Path) -> None:
    """A new patient in the running server's database (see the module docstring)."""
    env = {
        **os.environ, "DATABASE_URL": server.database_url, "WAYMARK_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "waymark.settings", "WAYMARK_DEMO": "1", "DEBUG": "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "x" * 40),
    }  # fmt: skip
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", MAKE_FRAN], cwd=root, env=env, check=True)


def test_it_goes_from_a_high_craving_checkin_to_a_coping_tool_and_back(
    phone: Any, server: Server, tmp_path: Path
) -> None:
    make_fran(server, tmp_path)
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
