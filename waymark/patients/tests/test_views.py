from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.conftest import TODAY, make_user, program
from waymark.organizations.models import CaseloadScope, LevelOfCare, Organization
from waymark.patients.models import DischargeDestination, Episode, Patient
from waymark.patients.services import admit, discharge, enroll_patient, move_to_program
from waymark.risk.models import PatientRisk

ClientFor = Callable[[User | None], Client]
# Every test here runs on the one frozen clock (waymark/conftest.py): today is TODAY.
pytestmark = pytest.mark.usefixtures("frozen")


def test_it_lists_patients_in_care_with_program_and_days_in_recovery(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    response = client_for(bob).get(reverse("patients:caseload"))
    rows = {
        p.preferred_name: (p.current_program, p.days_in_recovery())
        for p in response.context["page"]
    }
    assert rows == {"Alice": ("Residential treatment", 20), "Dana": ("Withdrawal management", 3)}
    assert b"Residential treatment" in response.content


def test_it_hides_patients_discharged_before_the_watch_unless_asked(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    discharge(Episode.objects.get(patient=dana), on=TODAY, destination=DischargeDestination.HOME)

    def names(query: str = "") -> list[str]:
        response = client_for(bob).get(reverse("patients:caseload") + query)
        return [p.preferred_name for p in response.context["page"]]

    # 31 days after the discharge the 30-day watch is over (patients/tests/test_watch.py).
    with time_machine.travel(dt.datetime(2026, 12, 28, 17, tzinfo=dt.UTC), tick=False):
        assert (names(), names("?show=all")) == (["Alice"], ["Alice", "Dana"])


def test_it_limits_clinicians_to_their_care_team_when_the_organization_chooses(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    northstar.caseload_scope = CaseloadScope.CARE_TEAM
    northstar.save()
    client = client_for(bob)
    assert [p.preferred_name for p in client.get(reverse("patients:caseload")).context["page"]] == [
        "Alice"
    ]
    assert client.get(reverse("patients:detail", args=[dana.pk])).status_code == 404
    assert client.get(reverse("patients:detail", args=[alice.pk])).status_code == 200


def test_it_uses_the_same_number_of_queries_for_60_and_200_patients(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    def add_patients(count: int) -> None:
        for number in range(count):
            user = make_user(f"p{Patient.objects.count()}-{number}")
            patient = enroll_patient(
                northstar, user, preferred_name=f"P{number:03}", date_of_birth=dt.date(1990, 1, 1)
            )
            episode = admit(patient, program(northstar, LevelOfCare.OUTPATIENT), on=TODAY)
            if number % 3 == 0:  # recently discharged: on the caseload, marked so
                discharge(episode, on=TODAY, destination=DischargeDestination.HOME)
            PatientRisk.objects.create(
                organization=northstar, patient=patient, level=(number % 5) * 10,
                reasons=[{"rule": "craving.high", "level": 20, "reason": "Craving 7."}],
                craving_14d=[number % 10] * 14, phq9_score=number % 27, assessed_at=timezone.now(),
            )  # fmt: skip

    the_day_after = dt.datetime(2026, 11, 28, 17, tzinfo=dt.UTC)
    with time_machine.travel(the_day_after, tick=False):
        client = client_for(bob)  # signed in that day: a staff session lasts 12 hours

    def queries() -> int:
        with (
            time_machine.travel(the_day_after, tick=False),
            CaptureQueriesContext(connection) as captured,
        ):
            response = client.get(reverse("patients:caseload"))
        assert response.status_code == 200
        assert b"Recently discharged (day 1 of 30)" in response.content
        return len(captured)

    # 60: a full first page, like 200 (a page that runs out of assessed patients reads
    # the never-assessed ones with one more query: patients/tests/test_caseload_keyset.py).
    add_patients(60)
    ten = queries()
    add_patients(140)
    assert Patient.objects.count() == 200
    assert queries() == ten


def test_it_sorts_by_risk_and_shows_the_reasons(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    for patient, level, reason in (
        (alice, 20, "Craving 7/10 on 27 Nov."),
        (dana, 40, "Answered yes."),
    ):
        PatientRisk.objects.create(
            organization=patient.organization, patient=patient, level=level,
            reasons=[{"rule": "r", "level": level, "reason": reason, "source": "s"}],
            craving_14d=[None] * 13 + [7], assessed_at=timezone.now(),
        )  # fmt: skip
    response = client_for(bob).get(reverse("patients:caseload"))
    assert [p.preferred_name for p in response.context["page"]] == ["Dana", "Alice"]
    content = response.content.decode()
    assert "Answered yes." in content and "Craving 7/10 on 27 Nov." in content
    assert content.index("Dana") < content.index("Alice")
    assert 'class="sparkline"' in content


def test_it_filters_by_program_level_and_clinician(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    detox = program(alice.organization, LevelOfCare.DETOX)

    def names(query: str) -> list[str]:
        return [
            p.preferred_name
            for p in client.get(reverse("patients:caseload") + query).context["page"]
        ]

    assert names(f"?program={detox.pk}") == ["Dana"]
    assert names("?level=residential") == ["Alice"]
    assert names(f"?clinician={bob.pk}") == ["Alice"]
    assert sorted(names("?program=not-a-number")) == ["Alice", "Dana"]


def test_it_shows_the_record_with_episodes_and_care_team(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    episode = Episode.objects.get(patient=alice)
    move_to_program(episode, program(alice.organization, LevelOfCare.OUTPATIENT), on=TODAY)
    response = client_for(bob).get(reverse("patients:detail", args=[alice.pk]))
    content = response.content.decode()
    assert "Residential treatment" in content and "Outpatient" in content
    assert "Bob" in content and "primary" in content
    assert "Ketamine, Alcohol" in content


def test_it_greets_the_patient_with_their_counter_and_program(
    alice: Patient, client_for: ClientFor
) -> None:
    response = client_for(alice.user).get(reverse("patients:me"))
    content = response.content.decode()
    assert "Hello, Alice" in content
    assert response.context["patient"].days_in_recovery() == 20
    assert "Residential treatment" in content
    assert reverse("help") in content, "help must be one tap away on patient pages"


def test_it_shows_the_organizations_crisis_lines(
    alice: Patient, erin: Patient, client_for: ClientFor
) -> None:
    us = client_for(alice.user).get(reverse("help")).content.decode()
    uk = client_for(erin.user).get(reverse("help")).content.decode()
    assert 'href="tel:911"' in us and "988" in us and "1-800-662-4357" in us and "Bob" in us
    assert 'href="tel:999"' in uk and "116 123" in uk and "0300 123 6600" in uk
    assert "Samaritans" not in us and "988" not in uk


def test_it_shows_help_without_sign_in(client: Client) -> None:
    content = client.get(reverse("help")).content.decode()
    assert "tel:911" in content and "tel:999" in content and "Samaritans" in content
