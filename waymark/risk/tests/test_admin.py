from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from waymark.accounts.models import User
from waymark.organizations.models import Organization
from waymark.risk.models import RiskSettings

ClientFor = Callable[[User | None], Client]
URL = "/admin/risk/risksettings/add/"
VALID = {
    "craving_high": 7, "craving_moderate": 5, "craving_rise": "2.0", "use_days_urgent": 3,
    "missed_days_moderate": 2, "missed_days_high": 5, "phq9_high": 20, "phq9_moderate": 15,
    "phq9_rise": 5, "bam_risk_high": 12, "bam_protective_low": 12, "tolerance_days": 14,
    "transition_days": 30,
}  # fmt: skip


def test_an_admin_sets_the_organizations_thresholds_once(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    assert client.post(URL, VALID).status_code == 302
    settings = RiskSettings.objects.get()
    assert (
        settings.organization,
        settings.craving_high,
        settings.missed_days_high,
        settings.tolerance_days,
    ) == (northstar, 7, 5, 14)
    assert client.get(URL).status_code == 403, "one row per organization: change it instead"


def test_it_refuses_thresholds_in_the_wrong_order(olivia: User, client_for: ClientFor) -> None:
    response = client_for(olivia).post(URL, {**VALID, "craving_high": 4, "craving_moderate": 6})
    assert response.status_code == 200
    assert "must not be below moderate" in response.content.decode()
    assert not RiskSettings.objects.exists()
