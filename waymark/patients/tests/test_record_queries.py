"""The patient record runs a fixed number of queries, however long the history.

Before this test, the check-ins panel read each of the last 30 days' safety answer with a
query of its own (54 queries for a year of history, 25 for a day); then 30, one per table
shown. Issue 13 point 4 asks for at most 15: the panels below the record's header are now
lazy (patients/panels.py `lazy=True`), each loaded after the page by htmx in its own
request (`patients:panel`), which runs its own few queries, the same for a day or a year.
Each table is still read once per request: the episodes with their stays and programs in
one query (LEFT JOIN), the check-ins once for the chart, the streak and the recent list,
the uses once for the counters and the recent list, the questionnaire responses once for
the results and what is due (patients/queries.py `patient_stays`, checkins/queries.py
`record_checkins`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.conftest import TODAY, _patient, actor
from waymark.medications.models import DrugClass, Medication
from waymark.messaging.services import MessageData, start_thread
from waymark.notes.models import ClinicalNote, NoteFormat
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import Episode, Patient, Substance
from waymark.patients.panels import panels
from waymark.patients.services import assign_clinician
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import build_response, current_questionnaire
from waymark.questionnaires.tests.helpers import make_due, phq9

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
# The record page itself (issue 13 point 4): four of every staff page's (the session, the
# user, django-otp's verified device, the membership); the patient and the audit row of its
# read; the reader's "reviewed" mark for the caseload (issue 16 point 1: one upsert); the
# header's episodes with their stays and its care team; the unresolved alerts, read once
# for the header's "open urgent alert" flag and the alerts panel (the one panel built with
# the page); the medicines for the header's medication safety flags (issue 16 point 2); the
# navigation's two badges (unread notifications, unread messages; issue 17).
MOST_QUERIES = 13
# Each lazy panel's fragment (`patients:panel`): the four of every staff page, the patient
# and the audit row of its read (6), then the panel's own reads.
FRAGMENT = 6
LAZY_PANEL_QUERIES = {
    # check-ins; the uses of the recent ones and every lapse; the counters' own settings
    # and the check-in days they count as known (issue 15 point 6); the episodes with
    # their stays (a detox stay's withdrawal log)
    "checkins": FRAGMENT + 5,
    # the responses; the episodes with their stays, the programs' schedules and the
    # assignments, for what is due
    "questionnaires": FRAGMENT + 4,
    "medications": FRAGMENT + 1,
    "appointments_record": FRAGMENT + 2,  # appointments; the group notes' lines (issue 17)
    "notes": FRAGMENT + 2,  # notes; their co-signatures (issue 16 point 4, one prefetch)
    "support_record": FRAGMENT + 1,  # the supporters' consents (issue 14)
    "meetings_record": FRAGMENT + 2,  # the week's meetings: logged, ticked in check-ins
    # the threads with their unread counts; the audit row of reading their subjects
    "messaging_record": FRAGMENT + 2,
}


def seed_history(patient: Patient, days: int, clinician: User) -> None:
    """`days` daily check-ins up to today (a use every fifth day, a ketamine lapse every
    tenth), a PHQ-9 every week, an alert, a note and a medication every fortnight (the
    latest alert open and acknowledged by `clinician`), stored in bulk."""
    now = timezone.now()
    fortnights = range(0, days, 14)
    Alert.objects.bulk_create(
        Alert(
            organization_id=patient.organization_id,
            patient=patient,
            rule_id="craving.high",
            severity=Severity.HIGH,
            status=AlertStatus.ACKNOWLEDGED if offset == 0 else AlertStatus.RESOLVED,
            reason="Craving 9/10.",
            evidence_type="checkin",
            evidence_id=str(offset),
            created_at=now - dt.timedelta(days=offset),
            last_seen_at=now - dt.timedelta(days=offset),
            acknowledged_at=now - dt.timedelta(days=offset),
            acknowledged_by=clinician,
        )
        for offset in fortnights
    )
    ClinicalNote.objects.bulk_create(
        ClinicalNote(
            organization_id=patient.organization_id,
            patient=patient,
            author=clinician,
            format=NoteFormat.DAP,
            data=f"Session {offset}.",
            signed_at=now - dt.timedelta(days=offset),
        )
        for offset in fortnights
    )
    Medication.objects.bulk_create(
        Medication(
            organization_id=patient.organization_id,
            patient=patient,
            name=f"Medicine {offset}",
            drug_class=DrugClass.ANTIDEPRESSANT,
            started_on=TODAY - dt.timedelta(days=offset),
            added_by=clinician,
        )
        for offset in fortnights
    )
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


def panel(client: Client, patient: Patient, name: str) -> Any:
    """A lazy panel as htmx asks for it (the fragment)."""
    url = reverse("patients:panel", args=[patient.pk, name])
    return client.get(url, headers={"HX-Request": "true"})


def panel_queries(client: Client, patient: Patient, name: str) -> list[str]:
    assert panel(client, patient, name).status_code == 200  # the caches are warm
    with CaptureQueriesContext(connection) as captured:
        response = panel(client, patient, name)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def a_day_and_a_year(
    alice: Patient, northstar: Organization, bob: User, client_for: ClientFor
) -> tuple[Client, Patient, Patient]:
    """Bob's client; Alice with a year of history and Ann (in care like her) with a day.
    Each has a message thread from the patient, so the messages panel reads and audits."""
    ann = _patient(northstar, "ann", LevelOfCare.RESIDENTIAL, 20)
    assign_clinician(ann, bob, primary=True)
    for patient in (alice, ann):
        make_due(patient, "phq-9")
        start_thread(actor(patient.user), patient, MessageData(body="Talk?", subject="Thu"))
    seed_history(alice, 365, bob)
    seed_history(ann, 1, bob)
    return client_for(bob), alice, ann


def test_it_shows_the_record_in_the_same_number_of_queries_for_a_day_or_a_year(
    a_day_and_a_year: tuple[Client, Patient, Patient],
) -> None:
    client, alice, ann = a_day_and_a_year
    a_year, a_day = record_queries(client, alice), record_queries(client, ann)
    assert len(a_year) == len(a_day), "\n".join(a_year)
    assert len(a_year) <= MOST_QUERIES, "\n".join(a_year)


def test_it_budgets_every_lazy_panel() -> None:
    """A panel made lazy gets its budget here (and so the test below)."""
    assert {p.name for p in panels() if p.lazy} == set(LAZY_PANEL_QUERIES)


@pytest.mark.parametrize("name", sorted(LAZY_PANEL_QUERIES))
def test_it_loads_each_lazy_panel_in_the_same_number_of_queries_for_a_day_or_a_year(
    a_day_and_a_year: tuple[Client, Patient, Patient], name: str
) -> None:
    client, alice, ann = a_day_and_a_year
    a_year, a_day = panel_queries(client, alice, name), panel_queries(client, ann, name)
    assert len(a_year) == len(a_day), "\n".join(a_year)
    assert len(a_year) <= LAZY_PANEL_QUERIES[name], "\n".join(a_year)


def test_it_shows_a_years_history_on_the_record(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    """What the reads that replaced the per-panel ones put on the page for a year: the
    last 14 check-ins with their uses, the streak, the counters, the open alert, the notes
    and the medicines."""
    seed_history(alice, 365, bob)
    client = client_for(bob)
    response = client.get(reverse("patients:detail", args=[alice.pk]))
    assert response.status_code == 200
    assert "Craving 9/10." in response.content.decode()  # the alerts panel, with the page
    response = panel(client, alice, "checkins")
    checkins = response.context["panel"].context
    assert [c.local_date for c in checkins["recent"]] == [
        TODAY - dt.timedelta(days=offset) for offset in range(14)
    ]
    uses = {c.local_date: [u.substance for u in c.uses.all()] for c in checkins["recent"]}
    assert uses[TODAY] == [Substance.KETAMINE]
    assert uses[TODAY - dt.timedelta(days=5)] == [Substance.TOBACCO]
    assert uses[TODAY - dt.timedelta(days=1)] == []
    assert checkins["streak"] == 365
    assert checkins["safety_days"] == 1  # day 7 of the last 30
    assert checkins["chart"]["checkin_count"] == 30
    notes = panel(client, alice, "notes").content.decode()
    assert "Session 364." in notes  # the newest note first (the clock is frozen)
    medicines = panel(client, alice, "medications").content.decode()
    assert "Medicine 0" in medicines and "Medicine 364" in medicines  # 0, 14, …, 364


def test_it_shows_every_episode_with_its_stays_and_one_without(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    """Episodes and stays come from one query (episodes LEFT JOIN stays): an episode
    without a stay is still listed, and each lists its own stays, oldest first."""
    stays_before = list(alice.stays.select_related("program").order_by("started_on", "pk"))
    empty = Episode.objects.create(
        organization=alice.organization, patient=alice, admitted_on=TODAY - dt.timedelta(days=900),
        discharged_on=TODAY - dt.timedelta(days=800), discharge_destination="home",
    )  # fmt: skip

    response = client_for(bob).get(reverse("patients:detail", args=[alice.pk]))

    episodes = response.context["episodes"]
    assert episodes[-1].pk == empty.pk and list(episodes[-1].stays.all()) == []
    shown = [stay for episode in episodes for stay in episode.stays.all()]
    assert [(s.pk, s.program.name) for s in shown] == [(s.pk, s.program.name) for s in stays_before]
    assert response.content.decode().count("Admitted ") == len(episodes) == 2
