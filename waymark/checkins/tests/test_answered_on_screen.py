"""Severe withdrawal and lapses answered on screen: what happens next (the care team is told
only when their alert really is there), the coping tools, and after a depressant the
overdose guidance."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from waymark.accounts.models import User
from waymark.alerts.models import Alert
from waymark.checkins.choices import WITHDRAWAL_FIELDS
from waymark.conftest import TODAY
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
TOLD = "this has gone to your care team"
COPING = 'href="/coping/"'


def _result(patient: Patient, client_for: ClientFor) -> str:
    response = client_for(patient.user).get(f"/checkin/{TODAY.isoformat()}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_lapse_says_the_care_team_is_told_and_offers_the_coping_tools(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, uses=[("ketamine", "")])

    page = _result(alice, client_for)

    assert Alert.objects.filter(patient=alice, rule_id="use.reported").exists()
    assert TOLD in page
    assert COPING in page and "try a coping tool" in page
    assert "overdose" not in page.lower(), "ketamine alone: no depressant guidance"


def test_a_lapse_with_no_alert_raised_does_not_say_the_care_team_was_told(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, uses=[("ketamine", "")])
    Alert.objects.all().delete()  # e.g. a check-in stored without the rules (an import)

    page = _result(alice, client_for)

    assert (
        TOLD not in page and "told" not in page.split('id="lapse-title"')[1].split("</section>")[0]
    )
    assert "talk it through with your care team" in page
    assert COPING in page


def test_alcohol_not_after_a_break_still_gets_the_overdose_guidance(
    alcohol_three_days_apart: Patient, client_for: ClientFor
) -> None:
    alice = alcohol_three_days_apart

    page = _result(alice, client_for)

    assert "tolerance is likely lower" not in page
    assert "Keeping safe after using alcohol" in page
    assert "Don't use alone" in page and "naloxone" in page
    assert f'href="tel:{alice.organization.emergency_number}"' in page
    assert "/learn/after-a-break-overdose-risk/" in page or "after-a-break-overdose-risk" in page


def test_a_depressant_after_a_break_gets_the_lower_tolerance_guidance_once(
    alice: Patient, check_in: Callable[..., None], client_for: ClientFor
) -> None:
    check_in(alice, uses=[("alcohol", "")])  # 20 days after the start

    page = _result(alice, client_for)

    assert "tolerance is likely lower" in page
    assert "Keeping safe after using" not in page, "one overdose section, not two"


def _entry(**levels: str) -> dict[str, str]:
    data = {name: "0" for name in WITHDRAWAL_FIELDS}
    data.update({"idempotency_key": str(uuid.uuid4()), "note": ""}, **levels)
    return data


@pytest.mark.usefixtures("frozen")
def test_a_severe_withdrawal_entry_says_the_care_team_is_told_and_offers_coping(
    dana: Patient, client_for: ClientFor
) -> None:
    html = (
        client_for(dana.user).post("/withdrawal/", _entry(tremor="3"), follow=True).content.decode()
    )

    notice = html.split('id="severe-withdrawal"')[1].split("</div>")[0]
    assert "We have told your care team straight away" in notice
    assert COPING in notice


@pytest.mark.usefixtures("frozen")
def test_a_severe_entry_with_no_alert_asks_the_patient_to_tell_staff(
    dana: Patient, client_for: ClientFor
) -> None:
    client = client_for(dana.user)
    client.post("/withdrawal/", _entry(tremor="3"))
    Alert.objects.all().delete()

    notice = client.get("/withdrawal/").content.decode().split('id="severe-withdrawal"')[1]
    notice = notice.split("</div>")[0]
    assert "We have told" not in notice
    assert "Please let a member of staff know now" in notice
    assert COPING in notice
