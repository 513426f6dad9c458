"""The patient record runs a fixed number of queries, however long the history.

Before this test, the check-ins panel read each of the last 30 days' safety answer with a
query of its own (54 queries for a year of history, 25 for a day). Issue 13 asks for at
most 15; the page is at 23 (the chart now takes its lapses from the counters' read), so
the bound below only stops it growing while that work is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.conftest import TODAY, _patient
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import Patient, Substance
from waymark.patients.services import assign_clinician
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import build_response, current_questionnaire
from waymark.questionnaires.tests.helpers import make_due, phq9

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
# Today's count (one is django-otp reading the verified device, one the supporter consents
# panel of issue 14, whatever the number of consents); issue 13: 15.
MOST_QUERIES = 25


def seed_history(patient: Patient, days: int) -> None:
    """`days` daily check-ins up to today (a use every fifth day, a ketamine lapse every
    tenth), and a PHQ-9 every week, stored in bulk."""
    now = timezone.now()
    checkins = [
        CheckIn(
            organization_id=patient.organization_id,
            patient=patient,
            local_date=TODAY - dt.timedelta(days=offset),
            craving=offset % 11,
            mood=1 + offset % 5,
            sleep_hours=Decimal("7.5"),
            sleep_quality=1 + offset % 5,
            stress=offset % 5,
            safety_concern=offset % 30 == 7,
            completed_at=now - dt.timedelta(days=offset),
            completed_on=TODAY - dt.timedelta(days=offset),
            submitted_at=now - dt.timedelta(days=offset),
            updated_at=now - dt.timedelta(days=offset),
        )
        for offset in range(days)
    ]
    CheckIn.objects.bulk_create(checkins)
    SubstanceUse.objects.bulk_create(
        SubstanceUse(
            organization_id=patient.organization_id,
            patient=patient,
            checkin=checkin,
            substance=Substance.KETAMINE if index % 10 == 0 else Substance.TOBACCO,
            used_on=checkin.local_date,
            amount="some",
        )
        for index, checkin in enumerate(checkins)
        if index % 5 == 0
    )
    questionnaire = current_questionnaire(patient.organization_id, "phq-9")
    QuestionnaireResponse.objects.bulk_create(
        build_response(
            patient,
            questionnaire,
            phq9(),
            by=patient.user,
            submitted_at=now - dt.timedelta(days=offset),
        )[0]
        for offset in range(0, days, 7)
    )


def record_queries(client: Client, patient: Patient) -> list[str]:
    url = reverse("patients:detail", args=[patient.pk])
    assert client.get(url).status_code == 200  # the session and the caches are warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_it_shows_the_record_in_the_same_number_of_queries_for_a_day_or_a_year(
    alice: Patient, northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    ann = _patient(northstar, "ann", LevelOfCare.RESIDENTIAL, 20)  # in care like Alice
    assign_clinician(ann, bob, primary=True)
    client = client_for(bob)
    for patient in (alice, ann):
        make_due(patient, "phq-9")
    seed_history(alice, 365)
    seed_history(ann, 1)

    a_year, a_day = record_queries(client, alice), record_queries(client, ann)

    assert len(a_year) == len(a_day), "\n".join(a_year)
    assert len(a_year) <= MOST_QUERIES, "\n".join(a_year)
