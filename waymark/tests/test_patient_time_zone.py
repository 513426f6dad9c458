"""Issue 15, point 4: every time a patient sees is in their own zone.

Alice lives in Auckland. The frozen clock says 27 Nov 2026, 20:00 UTC, which is already
28 Nov, 09:00 in Auckland (NZDT, UTC+13): a page in UTC would show the wrong day and hour.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.patients.models import Patient
from waymark.plans.tests.conftest import PLAN_FORM
from waymark.testing.pdf_text import pdf_text

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")

LOCAL_DAY, LOCAL_TIME = "28 Nov", "09:00"
UTC_DAY, UTC_TIME = "27 Nov", "20:00"


@pytest.fixture
def auckland_alice(alice: Patient) -> Patient:
    alice.timezone = "Pacific/Auckland"
    alice.save()
    return alice


def page(client: Client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200, name
    return response.content.decode()


def test_it_shows_a_non_utc_patient_every_time_in_their_zone(
    auckland_alice: Patient, bob: User, client_for: ClientFor
) -> None:
    alice = auckland_alice
    client = client_for(alice.user)
    assert client.post(reverse("plans:my_plan"), PLAN_FORM).status_code == 302
    local_date = alice.local_today()
    submit_checkin(alice, answers(local_date), key=uuid.uuid4())
    notify(
        alice.organization,
        alice.user,
        Message(kind=Kind.SYSTEM, title="A note from Waymark", email=False),
        dedupe_key="tz-walk",
    )
    client_for(bob).get(reverse("patients:detail", args=[alice.pk]))  # an audited look

    plan = page(client, "plans:my_plan")
    assert f"saved {LOCAL_DAY} 2026, {LOCAL_TIME}" in plan and UTC_TIME not in plan
    assert f"{LOCAL_DAY} 2026" in page(client, "plans:print")
    pdf = pdf_text(client.get(reverse("plans:pdf")).content)
    assert f"saved {LOCAL_DAY} 2026, {LOCAL_TIME} NZDT" in pdf

    assert f"at {LOCAL_TIME}" in page(client, "checkins:today")
    assert f"at {LOCAL_TIME}" in page(client, "patients:me")

    inbox = page(client, "notifications:inbox")
    assert f"{LOCAL_DAY}, {LOCAL_TIME}" in inbox and f"{UTC_DAY}, {UTC_TIME}" not in inbox

    looked = page(client, "audit:my_access_log")
    assert f"{LOCAL_DAY} 2026 {LOCAL_TIME}" in looked and UTC_TIME not in looked


def test_staff_keep_the_organizations_zone(
    auckland_alice: Patient, bob: User, client_for: ClientFor
) -> None:
    """The same plan, read by Bob in New York: his organization's zone (15:00 on the 27th)."""
    client_for(auckland_alice.user).post(reverse("plans:my_plan"), PLAN_FORM)
    response = client_for(bob).get(reverse("plans:patient_plan", args=[auckland_alice.pk]))
    assert "saved 27 Nov 2026, 15:00" in response.content.decode()
