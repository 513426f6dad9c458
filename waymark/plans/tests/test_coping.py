"""Coping tools: recorded uses, what helps, the plan's own words, and the check-in link."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.patients.models import Patient
from waymark.plans.models import CopingTool, CopingUse
from waymark.plans.services import what_helps
from waymark.plans.tests.conftest import PLAN_FORM, check_in

ClientFor = Callable[[User | None], Client]
USED = reverse("plans:coping_use")


def test_it_records_each_use_with_the_craving_before_and_after(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    response = client.post(
        USED, {"tool": "urge_surfing", "craving_before": "8", "craving_after": "5"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("plans:coping")
    client.post(USED, {"tool": "urge_surfing", "craving_before": "6", "craving_after": "2"})
    client.post(USED, {"tool": "breathing"})  # craving not given: counted, no drop

    uses = CopingUse.objects.filter(patient=alice, organization=alice.organization)
    assert uses.count() == 3
    summary = {row.label: (row.uses, row.mean_drop) for row in what_helps(alice)}
    assert summary == {"Urge surfing": (2, 3.5), "Guided breathing": (1, None)}


def test_it_shows_the_patient_and_the_clinician_what_helps(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(alice.user).post(
        USED, {"tool": "breathing", "craving_before": "7", "craving_after": "3"}
    )
    mine = client_for(alice.user).get(reverse("plans:coping")).content.decode()
    theirs = client_for(bob).get(reverse("plans:patient_plan", args=[alice.pk])).content.decode()
    for page in (mine, theirs):
        assert "<td>Guided breathing</td><td>1</td><td>4.0 points</td>" in page


def test_it_refuses_an_unknown_tool_or_a_craving_out_of_range(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    client.post(USED, {"tool": "shouting"})
    response = client.post(USED, {"tool": "breathing", "craving_before": "11"}, follow=True)
    assert "Craving before (0–10)" in response.content.decode()
    assert not CopingUse.objects.exists()


def test_it_shows_the_patients_own_strategies_reasons_and_people_to_call(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    client.post(reverse("plans:my_plan"), PLAN_FORM)
    page = client.get(reverse("plans:coping")).content.decode()
    assert "Stress: walk, then call my sister" in page
    assert "To be there for my daughter" in page
    assert 'href="tel:+12125550199"' in page
    assert f'value="{CopingTool.CALL}"' in page


def test_it_offers_coping_tools_after_a_high_craving_checkin_only(
    alice: Patient, dana: Patient, client_for: ClientFor
) -> None:
    high = check_in(alice, craving=6)
    low = check_in(dana, craving=5)
    link = f'href="{reverse("plans:coping")}"'
    high_page = client_for(alice.user).get(reverse("checkins:done", args=[high.local_date]))
    low_page = client_for(dana.user).get(reverse("checkins:done", args=[low.local_date]))
    assert "Craving is high right now — try a coping tool" in high_page.content.decode()
    assert link in high_page.content.decode().split("Craving is high")[1]
    assert "Craving is high" not in low_page.content.decode()
