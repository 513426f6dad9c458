"""Clinicians see latest scores with bands, trajectories and every answer — audited — and
completion rates; another organization's patient is a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent
from waymark.errors import ServiceError
from waymark.organizations.models import Membership
from waymark.patients.models import Patient
from waymark.questionnaires.models import Assignment, AssignmentReason
from waymark.questionnaires.services import assign_questionnaire, submit_response
from waymark.questionnaires.tests.helpers import (
    PUBLISHED_PHQ9,
    make_due,
    numbered,
    phq9,
    recorded,
    submitted,
)
from waymark.testing.audit import audited
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]


def test_it_puts_latest_scores_bands_and_charts_on_the_patient_record(
    phq9_due: Patient, bob: User, client_for: ClientFor
) -> None:
    recorded(phq9_due, "phq-9", numbered([3, 3, 3, 3, 2, 2, 2, 0, 0]), days_ago=28)  # 18
    submitted(phq9_due, "phq-9", numbered(PUBLISHED_PHQ9))  # 12
    page = record_panel(client_for(bob), phq9_due.pk, "questionnaires")
    panel = page.split('id="q-record-title"')[1]
    assert "PHQ-9" in panel and "<strong>12</strong>/27" in panel and "Moderate" in panel
    assert "-6" in panel  # change since the first result
    assert (
        "Reliable improvement (5+ points better than the first score): first on 27 November 2026"
        in panel
    )
    assert "data-trajectory" in panel and "chart.umd.min.js" in panel
    assert reverse("questionnaires:patient_questionnaires", args=[phq9_due.pk]) in panel


def test_it_shows_a_clinician_every_trajectory_and_response_and_audits_it(
    phq9_due: Patient, bob: User, client_for: ClientFor
) -> None:
    submitted(phq9_due, "phq-9", phq9(item9=1))
    url = reverse("questionnaires:patient_questionnaires", args=[phq9_due.pk])
    page = client_for(bob).get(url).content.decode()
    assert "safety answer" in page and "PHQ-9" in page and "data-trajectory" in page
    assert "Ask Alice to fill in a questionnaire" in page
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="questionnaire_responses")
    assert (event.actor, event.patient) == (bob, phq9_due)


def test_it_shows_every_answer_of_one_response_and_audits_which(
    phq9_due: Patient, bob: User, client_for: ClientFor
) -> None:
    response = submitted(phq9_due, "phq-9", phq9(item9=2))
    url = reverse("questionnaires:patient_response", args=[phq9_due.pk, response.pk])
    page = client_for(bob).get(url).content.decode()
    assert "Thoughts that you would be better off dead" in page
    assert "More than half the days" in page and 'class="safety"' in page
    assert "LOINC 44260-8" in page
    notice = page.split('id="loinc-notice">')[1].split("</p>")[0]
    assert "content from LOINC" in notice and "Regenstrief Institute" in notice
    event = AuditEvent.objects.get(object_type="questionnaire_response")
    assert (event.object_id, event.actor, event.action) == (str(response.pk), bob, "view")


def test_it_answers_404_for_another_organizations_patient_or_response(
    phq9_due: Patient, erin: Patient, carol: User, bob: User, client_for: ClientFor
) -> None:
    response = submitted(phq9_due, "phq-9", phq9())
    carols = client_for(carol)
    assert (
        carols.get(reverse("questionnaires:patient_questionnaires", args=[phq9_due.pk])).status_code
        == 404
    )
    assert (
        carols.get(
            reverse("questionnaires:patient_response", args=[phq9_due.pk, response.pk])
        ).status_code
        == 404
    )
    # Bob's own patient with someone else's response id is a 404 as well.
    assert (
        client_for(bob)
        .get(reverse("questionnaires:patient_response", args=[phq9_due.pk, erin.pk]))
        .status_code
        == 404
    )


def test_it_lets_a_clinician_ask_for_a_questionnaire(
    frozen: time_machine.Coordinates, alice: Patient, bob: User, client_for: ClientFor
) -> None:
    url = reverse("questionnaires:assign", args=[alice.pk])
    response = client_for(bob).post(
        url, {"questionnaire": "gad-7", "days": "5", "note": "After our talk"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(patient=alice)
    assert (assignment.questionnaire_key, assignment.reason, assignment.assigned_by) == (
        "gad-7",
        AssignmentReason.CLINICIAN,
        bob,
    )
    assert assignment.closes_on == alice.local_today() + dt.timedelta(days=5)
    assert audited(action=AuditAction.CREATE, object_type="questionnaire_request")
    listing = client_for(alice.user).get(reverse("questionnaires:my_list")).content.decode()
    assert "GAD-7" in listing and "Asked by the care team" in listing


def test_it_refuses_an_unknown_questionnaire_request(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client_for(bob).post(
        reverse("questionnaires:assign", args=[alice.pk]), {"questionnaire": "dast-10", "days": "5"}
    )
    assert not Assignment.objects.exists()


def test_it_refuses_a_request_from_a_clinician_no_longer_active(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    membership = Membership.objects.get(user=bob)
    before = Actor(user=bob, membership=membership)  # e.g. a task queued before the change
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    with pytest.raises(ServiceError) as refused:
        assign_questionnaire(before, alice, "gad-7")
    assert refused.value.status == 403
    url = reverse("questionnaires:assign", args=[alice.pk])
    assert client_for(bob).post(url, {"questionnaire": "gad-7", "days": "5"}).status_code == 403
    assert not Assignment.objects.exists()


def test_it_shows_completion_rates_and_who_is_overdue(
    frozen: time_machine.Coordinates,
    alice: Patient,
    dana: Patient,
    bob: User,
    client_for: ClientFor,
) -> None:
    make_due(alice, "phq-9", on=alice.local_today() - dt.timedelta(days=5))  # overdue now
    make_due(alice, "gad-7", on=alice.local_today() - dt.timedelta(days=1))
    submit_response(alice, "gad-7", numbered([0] * 7), by=alice.user)
    page = client_for(bob).get(reverse("questionnaires:completion")).content.decode()
    rows = page.split("<tbody>")[1]
    assert "GAD-7" in rows and "PHQ-9" in rows
    overdue = page.split("Overdue now")[1]
    assert "Alice" in overdue and "Dana" not in overdue
    assert "1 completed (1 on time), 0 missed, 1 still open" in page
    listed = AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="questionnaire_overdue_list"
    )
    assert list(listed.values_list("patient", flat=True)) == [alice.pk]
    frozen.shift(dt.timedelta(days=20))
    later = client_for(bob).get(reverse("questionnaires:completion")).content.decode()
    assert "1 completed (1 on time), 1 missed, 0 still open" in later and "50% completed" in later
