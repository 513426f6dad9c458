"""A signed note never changes: the service (test_services), the model and the database.

The database tests go around Django (QuerySet.update/delete, raw SQL), so they prove
the triggers of migration 0002 on whichever database the suite runs on; CI runs the
suite on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.conftest import actor
from waymark.errors import ServiceError
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.notes.services import add_addendum, sign_note
from waymark.notes.tests.conftest import COMPLETE_DAP


def refused_by_database(action: object) -> str:
    """Run `action` in a savepoint; the database's error message (it must refuse)."""
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        action()  # type: ignore[operator]
    return str(refused.value)


def test_it_refuses_saving_a_signed_note_in_the_model(signed: ClinicalNote) -> None:
    signed.plan = "Rewritten."
    with pytest.raises(ServiceError, match="cannot be changed"):
        signed.save()
    assert ClinicalNote.objects.get(pk=signed.pk).plan == COMPLETE_DAP["plan"]


def test_it_refuses_saving_a_stale_copy_of_a_note_signed_since(
    draft: ClinicalNote, bob: User
) -> None:
    stale = ClinicalNote.objects.get(pk=draft.pk)
    sign_note(actor(bob), draft)
    stale.plan = "Written in another tab."
    with pytest.raises(ServiceError):
        stale.save()
    assert ClinicalNote.objects.get(pk=draft.pk).plan == COMPLETE_DAP["plan"]


def test_it_refuses_deleting_a_signed_note_in_the_model(signed: ClinicalNote) -> None:
    with pytest.raises(ServiceError, match="cannot be deleted"):
        signed.delete()
    assert ClinicalNote.objects.filter(pk=signed.pk).exists()


def test_it_refuses_changing_an_addendum_in_the_model(signed: ClinicalNote, bob: User) -> None:
    addendum = add_addendum(actor(bob), signed, "Correction.")
    addendum.text = "Other."
    with pytest.raises(ServiceError):
        addendum.save()
    with pytest.raises(ServiceError):
        addendum.delete()
    assert NoteAddendum.objects.get(pk=addendum.pk).text == "Correction."


def test_it_refuses_update_of_a_signed_note_in_the_database(signed: ClinicalNote) -> None:
    notes = ClinicalNote.objects.filter(pk=signed.pk)
    message = refused_by_database(lambda: notes.update(plan="Rewritten."))
    assert "immutable" in message
    refused_by_database(lambda: notes.update(signed_at=None))  # no un-signing either
    assert notes.get().plan == COMPLETE_DAP["plan"]
    assert notes.get().signed_at == signed.signed_at


def test_it_refuses_raw_sql_on_a_signed_note(signed: ClinicalNote) -> None:
    def raw_update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE notes_clinicalnote SET plan = %s WHERE id = %s", ["X", signed.pk]
            )

    assert "immutable" in refused_by_database(raw_update)
    assert ClinicalNote.objects.get(pk=signed.pk).plan == COMPLETE_DAP["plan"]


def test_it_refuses_delete_of_a_signed_note_in_the_database(signed: ClinicalNote) -> None:
    refused_by_database(lambda: ClinicalNote.objects.filter(pk=signed.pk).delete())
    assert ClinicalNote.objects.filter(pk=signed.pk).exists()


def test_it_lets_the_database_change_and_sign_a_draft(draft: ClinicalNote) -> None:
    notes = ClinicalNote.objects.filter(pk=draft.pk)
    assert notes.update(plan="Changed.") == 1
    assert notes.update(signed_at=timezone.now()) == 1
    assert notes.get().is_signed
    refused_by_database(lambda: notes.update(plan="After signing."))


def test_it_refuses_update_and_delete_of_an_addendum_in_the_database(
    signed: ClinicalNote, bob: User
) -> None:
    addendum = add_addendum(actor(bob), signed, "Correction.")
    addenda = NoteAddendum.objects.filter(pk=addendum.pk)
    assert "immutable" in refused_by_database(lambda: addenda.update(text="Other."))
    refused_by_database(lambda: addenda.delete())
    assert addenda.get().text == "Correction."
