"""Audit objects are choices with plain words; "who has looked at my record" groups the
views of a list per person and day; one helper pages a list and audits who is on it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from waymark.access import Actor, audit_shown, page_and_audit, visible_patients
from waymark.accounts.models import User
from waymark.audit.models import VERBS, AuditAction, AuditEvent, AuditObject, describe
from waymark.audit.services import record, record_list, record_system
from waymark.conftest import NEW_YORK, TODAY
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient

ClientFor = Callable[[User | None], Client]
WAYMARK = Path(__file__).resolve().parents[2]


def actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user))


def rows(client: Client) -> list[tuple[User | None, str]]:
    page = client.get(reverse("audit:my_access_log")).context["page"]
    return [(entry.actor, entry.describe()) for entry in page]


def test_it_refuses_an_object_type_that_is_not_a_choice(alice: Patient, bob: User) -> None:
    with pytest.raises(ValueError, match="alert_acknowledge"):
        record(actor(bob), AuditAction.UPDATE, patient=alice, object_type="alert_acknowledge")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="questionnaire fhir"):
        record_system(AuditAction.EXPORT, patient=alice, object_type="questionnaire fhir")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a_list"):
        record_list(actor(bob), [], object_type="a_list")  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_it_names_every_object_type_in_the_code_by_its_choice() -> None:
    """No string object type anywhere: each is an AuditObject (which mypy and record() check)."""
    literal = re.compile(r"object_type\s*=\s*f?[\"']")
    offenders = [
        str(path.relative_to(WAYMARK))
        for path in WAYMARK.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and literal.search(path.read_text())
    ]
    assert offenders == []


def test_it_gives_every_choice_plain_words() -> None:
    for choice in AuditObject:
        words = str(choice.label)
        assert words and words != choice.value, choice
        assert "_" not in words and words[0].islower(), words
        for action in AuditAction:
            assert describe(action, choice) == f"{VERBS[action]} {words}"
    assert len(set(AuditObject.values)) == len(AuditObject)


def test_it_shows_the_patient_plain_words_for_each_kind_of_entry(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    bobs = actor(bob)
    record(bobs, AuditAction.VIEW, patient=alice, object_type=AuditObject.CHECKINS)
    record(bobs, AuditAction.UPDATE, patient=alice, object_type=AuditObject.ALERT_ACKNOWLEDGED)
    record(bobs, AuditAction.EXPORT, patient=alice, object_type=AuditObject.QUESTIONNAIRE_EXPORT)
    page = client_for(alice.user).get(reverse("audit:my_access_log")).content.decode()
    for words in (
        "Looked at your check-ins",
        "Changed an alert about you: acknowledged it",
        "Exported your questionnaire answers",
    ):
        assert words in page
    assert "_" not in "".join(re.findall(r'data-label="What">([^<]*)<', page))


def test_it_counts_a_persons_views_of_a_list_together_for_each_day(
    alice: Patient,
    dana: Patient,
    bob: User,
    client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:
    client = client_for(bob)
    for _ in range(14):  # the caseload refreshes itself every minute
        client.get(reverse("patients:caseload"))
        frozen.shift(dt.timedelta(minutes=1))
    frozen.shift(dt.timedelta(hours=1))
    client = client_for(bob)  # an idle staff session has ended: Bob signs in again
    client.get(reverse("patients:detail", args=[alice.pk]))
    frozen.shift(dt.timedelta(days=1))
    client = client_for(bob)
    client.get(reverse("patients:caseload"))

    alices = client_for(alice.user)
    assert rows(alices) == [
        (bob, "Saw your name on the caseload"),
        (bob, "Looked at your record"),
        (bob, "Saw your name on the caseload 14 times"),
    ]
    page = alices.get(reverse("audit:my_access_log")).content.decode()
    assert "27 Nov 2026, 15:00–15:13" in page  # one row for the day, first and last time


def test_it_counts_days_in_the_patients_own_time_zone(
    alice: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    evening = dt.datetime.combine(TODAY, dt.time(9), tzinfo=NEW_YORK)
    for at in (evening, evening.replace(hour=23, minute=30), evening + dt.timedelta(hours=15.5)):
        frozen.move_to(at)  # 23:30 and 00:30 in New York fall on one day in UTC
        audit_shown(actor(bob), [alice], object_type=AuditObject.CASELOAD)
    assert rows(client_for(alice.user)) == [
        (bob, "Saw your name on the caseload"),
        (bob, "Saw your name on the caseload 2 times"),
    ]


def test_it_pages_a_list_and_audits_only_the_patients_on_the_page(
    alice: Patient, dana: Patient, erin: Patient, bob: User
) -> None:
    request = RequestFactory().get("/", {"page": "2"})
    patients = visible_patients(actor(bob)).order_by("preferred_name")
    page = page_and_audit(
        actor(bob), patients, request, object_type=AuditObject.CASELOAD, per_page=1
    )
    assert list(page.object_list) == [dana]
    listed = AuditEvent.objects.values_list("patient", "action", "object_type")
    assert list(listed) == [(dana.pk, AuditAction.LIST, "caseload")]


def test_it_audits_each_patient_once_however_often_they_appear(
    alice: Patient, dana: Patient, bob: User
) -> None:
    """An inbox shows a patient once per alert: one LIST entry for that patient."""
    audit_shown(actor(bob), [alice, dana, alice], object_type=AuditObject.ALERTS_INBOX)
    assert sorted(AuditEvent.objects.values_list("patient", flat=True)) == sorted(
        [alice.pk, dana.pk]
    )
