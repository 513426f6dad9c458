"""Issue 14, the supporter journey: the patient invites a supporter and signs a consent
for milestones and reach-out; the supporter chooses a password, signs in and sees the
milestones and the redisclosure notice; the patient reaches out and the supporter is
told; the patient revokes and the supporter's next page shows nothing; the patient's
accounting lists each disclosure.

Hana (the patient) is made here, in the server's database, as the coping journey makes
Fran, so the other journeys' people are untouched. The invitation's link is the one the
queued e-mail carries (made the same way, for the same account state).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from waymark.organizations.models import LevelOfCare
from waymark.tests.browser.conftest import Server
from waymark.tests.browser.pages import sign_in

HANA = "hana.browser"
RUI_EMAIL = "rui.browser@example.net"
RUI_PASSWORD = "a long walk by the river 93"
NOTICE = "42 CFR part 2 prohibits unauthorized disclosure of these records."
INVITATION_LINK = f"""
import sys
import django
django.setup()
from waymark.accounts.models import User
from waymark.accounts.services import invitation_link
print(invitation_link(User.objects.get(email="{RUI_EMAIL}"), sys.argv[1]))
"""


def _disclosures(server: Server) -> list[tuple[Any, ...]]:
    return server.query(
        "SELECT d.scope FROM support_disclosure d JOIN patients_patient p ON p.id = d.patient_id "
        "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s ORDER BY d.id",
        HANA,
    )


def test_it_shares_by_consent_reaches_out_revokes_and_accounts(
    phone: Any, second_phone: Any, server: Server, tmp_path: Path
) -> None:
    born, level = dt.date(1990, 2, 3), LevelOfCare.OUTPATIENT
    server.add_patient(tmp_path, HANA, "Hana", born=born, level=level)
    patient = phone.new_page()
    sign_in(patient, HANA)

    # The patient invites Rui and signs a consent for milestones and reach-out.
    patient.goto("/supporters/")
    patient.get_by_role("link", name="Invite someone").click()
    patient.fill("input[name=name]", "Rui")
    patient.get_by_label("Friend").check()
    patient.fill("input[name=email]", RUI_EMAIL)
    patient.fill("input[name=phone]", "555-0123")
    patient.get_by_role("button", name="Send the invitation").click()
    patient.wait_for_url("**/supporters/*/consent/")
    assert not patient.locator("input[name=scopes]:checked").count()  # off by default
    patient.locator("input[name=scopes][value=milestones]").check()
    patient.locator("input[name=scopes][value=reach_out]").check()
    patient.locator("input[name=agreed]").check()
    patient.fill("input[name=signature]", "Hana Example")
    patient.get_by_role("button", name="Sign and share").click()
    patient.wait_for_url("**/supporters/")
    assert "Stop sharing with Rui" in patient.content()

    # Rui follows the invitation, chooses a password and signs in.
    supporter = second_phone.new_page()
    supporter.goto(server.run(tmp_path, INVITATION_LINK, server.url))
    supporter.fill("input[name=new_password1]", RUI_PASSWORD)
    supporter.fill("input[name=new_password2]", RUI_PASSWORD)
    supporter.locator("button[type=submit]").click()
    supporter.wait_for_url("**/accounts/signin/")
    supporter.fill("input[name=username]", RUI_EMAIL)
    supporter.fill("input[name=password]", RUI_PASSWORD)
    supporter.locator("button[type=submit]").click()
    supporter.wait_for_url("**/support/")
    assert NOTICE in supporter.content()
    supporter.get_by_role("link", name="Hana").click()
    supporter.wait_for_url("**/support/*/")
    assert supporter.get_by_role("heading", name="Milestones").is_visible()
    assert "40 days without ketamine" in supporter.content()
    assert NOTICE in supporter.content()
    assert "Check-ins this week" not in supporter.content()

    # Hana reaches out from her home; Rui is told, in the app, and answers.
    patient.goto("/me/")
    patient.get_by_role("button", name="I'm struggling — let my people know").click()
    patient.wait_for_url("**/supporters/reach-out/")
    assert "We have let Rui know" in patient.content()
    supporter.reload()
    assert "Hana would like to hear from you" in supporter.content()
    supporter.get_by_role("button", name="I've been in touch").click()
    supporter.wait_for_url("**/support/*/")
    patient.reload()
    assert "Rui: has been in touch" in patient.locator(".reach-out-status").first.inner_text()

    # Hana revokes; Rui's next page shows nothing.
    patient.goto("/supporters/")
    patient.get_by_role("button", name="Stop sharing with Rui").click()
    patient.wait_for_url("**/supporters/")
    assert "Nothing is shared now" in patient.content()
    answer = supporter.reload()
    assert answer is not None and answer.status == 404
    assert "Milestones" not in supporter.content() and "Hana" not in supporter.content()
    supporter.goto("/support/")
    assert "Hana" not in supporter.content()

    # The accounting lists each disclosure.
    recorded = _disclosures(server)
    assert len(recorded) >= 5  # two page views × two scopes, and the reach-out itself
    patient.goto("/supporters/shared/")
    rows = patient.locator("table.accounting tbody tr")
    assert rows.count() == len(recorded)
    assert "Rui (Friend)" in rows.first.inner_text()
