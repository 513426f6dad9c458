"""The caseload puts open alerts first and shows each one's state (issue 10).

Seen in the first version: a patient with an open, escalated, urgent safety alert sat on
row 32 of 32 with "No flags", because the order came from the rolling risk alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.alerts import services
from waymark.alerts.models import Alert
from waymark.conftest import TODAY, make_user, program
from waymark.organizations.models import LevelOfCare, Organization
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient
from waymark.patients.services import admit, enroll_patient
from waymark.risk.models import PatientRisk
from waymark.risk.rules import CHECKIN_SAFETY, CRAVING_HIGH

ClientFor = Callable[[User | None], Client]


def patients(organization: Organization, count: int, level: int) -> list[Patient]:
    made = []
    for number in range(count):
        user = make_user(f"c{Patient.objects.count()}-{number}")
        patient = enroll_patient(
            organization, user, preferred_name=f"Person {Patient.objects.count():03}",
            date_of_birth=dt.date(1990, 1, 1),
        )  # fmt: skip
        admit(patient, program(organization, LevelOfCare.OUTPATIENT), on=TODAY)
        PatientRisk.objects.create(
            organization=organization, patient=patient, level=level,
            reasons=[{"rule": "craving.high", "level": level, "reason": "Craving 9/10."}],
            last_activity_at=timezone.now(), assessed_at=timezone.now(),
        )  # fmt: skip
        made.append(patient)
    return made


def rows(client: Client, query: str = "") -> list[Patient]:
    return list(client.get(reverse("patients:caseload") + query).context["page"])


def as_actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user), request_id="test")


def test_an_unacknowledged_urgent_alert_is_on_top_whatever_the_rolling_risk(
    northstar: Organization, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    patients(northstar, 31, level=30)  # 31 patients at rolling High
    # Dana's safety answer is old news to the rolling risk (outside its 7-day window)...
    PatientRisk.objects.create(
        organization=northstar, patient=dana, level=0, reasons=[], assessed_at=timezone.now()
    )
    # ...but her urgent alert is open and was escalated: nobody has acknowledged it.
    alert = services.raise_alert(dana, CHECKIN_SAFETY.flag("Answered yes 9 days ago."))
    assert alert is not None
    Alert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())

    page = client_for(bob).get(reverse("patients:caseload"))
    listed = list(page.context["page"])
    assert len(listed) == 32 and listed[0] == dana
    row = page.content.decode().split(f'id="patient-{dana.pk}"')[1].split("</tr>")[0]
    assert "needs-ack" in row.split(">")[0]
    assert "New</a> Safety answer in a check-in" in row
    assert "No flags" not in row


def test_after_acknowledging_the_row_says_who_and_the_rolling_risk_orders_it(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    [high] = patients(northstar, 1, level=30)
    alert = services.raise_alert(dana, CHECKIN_SAFETY.flag("Answered yes."))
    assert alert is not None
    client = client_for(bob)
    assert rows(client)[0] == dana
    with time_machine.travel(dt.datetime(2026, 11, 27, 19, 5, tzinfo=dt.UTC), tick=False):
        services.acknowledge(alert, as_actor(bob), note="Called; safe with family.")

    page = client.get(reverse("patients:caseload"))
    listed = list(page.context["page"])
    assert listed.index(high) < listed.index(dana), "acknowledged: rolling risk orders the rest"
    row = page.content.decode().split(f'id="patient-{dana.pk}"')[1].split("</tr>")[0]
    assert "Acknowledged by Bob 27 Nov 14:05" in row, "in the organization's zone (New York)"
    assert "No flags" not in row, "an acknowledged alert is still open"
    services.resolve(alert, as_actor(bob), note="Seen in clinic; plan in place.")
    row = client.get(reverse("patients:caseload")).content.decode()
    assert "No flags" in row.split(f'id="patient-{dana.pk}"')[1].split("</tr>")[0]


def test_an_unacknowledged_alert_lifts_the_patient_to_its_severity(
    northstar: Organization, alice: Patient, bob: User, client_for: ClientFor
) -> None:
    [moderate] = patients(northstar, 1, level=20)
    services.raise_alert(alice, CRAVING_HIGH.flag("Craving 9/10.", evidence=("checkin", "1")))
    listed = rows(client_for(bob))
    assert listed.index(alice) < listed.index(moderate)
    assert PatientRisk.objects.get(patient=alice).sort_level == 30


def test_the_query_count_stays_constant_with_alerts_on_the_page(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)

    def add(count: int) -> None:
        for patient in patients(northstar, count, level=20):
            services.raise_alert(patient, CHECKIN_SAFETY.flag("Yes.", evidence=("checkin", "x")))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("patients:caseload")).status_code == 200
        return len(captured)

    add(60)  # a full first page, like 200 (patients/tests/test_caseload_keyset.py)
    ten = queries()
    add(140)
    assert queries() == ten
