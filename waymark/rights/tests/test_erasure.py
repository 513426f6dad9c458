"""Erasure after the retention period: refused before it, under a legal hold and for an
open account; afterwards no row names the patient except what must stay."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import time_machine
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent, AuditObject
from waymark.conftest import actor
from waymark.notes.models import ClinicalNote, NoteAddendum, NoteFormat
from waymark.notes.services import start_note
from waymark.patients.models import Patient
from waymark.rights.models import AccountClosure
from waymark.rights.services import ERASED_BIRTH_DATE, ERASED_NAME, KEPT, patient_relations
from waymark.rights.tests.conftest import DANA_ONLY, ERIN_ONLY, MARKERS, years_later

ClientFor = Callable[[User | None], Client]
# What names Alice: her name, sign-in and e-mail, and what she and her care team wrote.
# (Her date of birth is Dana's and Erin's too: her own row is checked for it.)
NAMING = ("alice", *MARKERS.values())


def erase(client: Client, patient: Patient) -> tuple[int, str]:
    response = client.post(reverse("rights:erase", args=[patient.pk]), {"confirm": "on"})
    return response.status_code, response.content.decode()


def hold(client: Client, patient: Patient, *, on: bool, reason: str = "") -> int:
    data = {"hold": "on", "reason": reason} if on else {}
    return client.post(reverse("rights:legal_hold", args=[patient.pk]), data).status_code


def every_row() -> list[tuple[str, str]]:
    """(table, row as text) for every row of every table."""
    return [
        (model._meta.db_table, json.dumps(row, cls=DjangoJSONEncoder).lower())
        for model in apps.get_models()
        for row in model._default_manager.values()
    ]


@pytest.fixture
def closed(full_record: Patient, olivia: User, client_for: ClientFor) -> Patient:
    client_for(olivia).post(reverse("rights:close", args=[full_record.pk]))
    return full_record


def test_it_refuses_an_open_account(
    full_record: Patient, olivia: User, client_for: ClientFor
) -> None:
    status, page = erase(client_for(olivia), full_record)
    assert (status, "Close the account first" in page) == (409, True)


def test_it_refuses_before_the_retention_period_ends(
    closed: Patient, olivia: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(years_later(9))
    status, page = erase(client_for(olivia), closed)
    assert status == 409
    assert "The retention period ends on 27 November 2036" in page
    assert ClinicalNote.objects.filter(patient=closed).exists()


def test_it_counts_the_retention_period_from_a_note_written_after_closure(
    closed: Patient, olivia: User, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(years_later(1))
    start_note(actor(bob), closed, note_format=NoteFormat.DAP, sections={"data": "Called."})
    frozen.move_to(years_later(10))
    status, page = erase(client_for(olivia), closed)
    assert (status, "27 November 2037" in page) == (409, True)


def test_it_refuses_while_a_legal_hold_is_set(
    closed: Patient, olivia: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    admin = client_for(olivia)
    assert hold(admin, closed, on=True) == 422, "a hold says what it is for"
    assert hold(admin, closed, on=True, reason="Smith v. Northstar") == 302
    frozen.move_to(years_later(11))
    admin = client_for(olivia)  # signed in again: the old session has long expired
    status, page = erase(admin, closed)
    assert status == 409
    assert "A legal hold is set (Smith v. Northstar)" in page
    assert hold(admin, closed, on=False) == 302
    assert erase(admin, closed)[0] == 302
    kinds = set(AuditEvent.objects.filter(patient=closed).values_list("object_type", flat=True))
    assert {AuditObject.LEGAL_HOLD, AuditObject.ERASURE} <= kinds


def test_it_asks_for_confirmation(
    closed: Patient, olivia: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(years_later(10))
    response = client_for(olivia).post(reverse("rights:erase", args=[closed.pk]))
    assert response.status_code == 422
    assert "Tick the box" in response.content.decode()


def test_it_leaves_no_row_naming_the_patient(
    closed: Patient, olivia: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    Client().post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert any("alice" in row for table, row in every_row() if table.startswith("axes_"))
    frozen.move_to(years_later(10))
    assert erase(client_for(olivia), closed)[0] == 302
    naming = [(table, word) for table, row in every_row() for word in NAMING if word.lower() in row]
    assert naming == []
    erased = Patient.objects.get(pk=closed.pk)
    assert (erased.preferred_name, erased.date_of_birth) == (ERASED_NAME, ERASED_BIRTH_DATE)
    assert erased.user.username == f"erased-{closed.pk}" and not erased.user.has_usable_password()
    # What stays points at her id only: the audit trail, the closure, the patient row.
    assert AuditEvent.objects.filter(patient_id=closed.pk).exists()
    assert AccountClosure.objects.get(patient_id=closed.pk).erased_by == olivia
    left = {
        model._meta.label
        for model, field in patient_relations()
        if model._default_manager.filter(**{field: closed.pk}).exists()
    }
    assert left == {model._meta.label for model in KEPT}
    # Other patients' data is untouched.
    rows = every_row()
    assert any(DANA_ONLY.lower() in row for _, row in rows)
    assert any(ERIN_ONLY.lower() in row for _, row in rows)


def test_it_lets_the_database_delete_signed_notes_only_of_an_erased_record(
    closed: Patient, signed_note: ClinicalNote
) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        NoteAddendum.objects.filter(note=signed_note).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ClinicalNote.objects.filter(pk=signed_note.pk)._raw_delete(ClinicalNote.objects.db)
    AccountClosure.objects.filter(patient=closed).update(erased_at=years_later(10))
    with pytest.raises(DatabaseError), transaction.atomic():
        ClinicalNote.objects.filter(pk=signed_note.pk).update(data="changed")
    NoteAddendum.objects.filter(note=signed_note).delete()
    ClinicalNote.objects.filter(pk=signed_note.pk).delete()
    assert not ClinicalNote.objects.filter(pk=signed_note.pk).exists()
