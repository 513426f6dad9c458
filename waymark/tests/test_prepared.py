"""waymark/prepared.py writes and reads rows as the ORM would, signals included."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import signals
from django.utils import timezone

from waymark import prepared
from waymark.checkins.models import CheckIn, SubmissionKey, SubstanceUse
from waymark.conftest import TODAY
from waymark.patients.models import Patient

pytestmark = pytest.mark.usefixtures("frozen")


def _checkin(patient: Patient, day: dt.date) -> CheckIn:
    now = timezone.now()
    return CheckIn(
        organization_id=patient.organization_id, patient=patient, local_date=day, craving=4,
        mood=3, sleep_hours=Decimal("6.5"), sleep_quality=2, stress=1, safety_concern=True,
        triggers=["people"], symptoms=["bladder_pain"], note="Hard day.", completed_at=now,
        completed_on=day, submitted_at=now, updated_at=now,
    )  # fmt: skip


def test_it_sends_the_save_signals_as_save_does(alice: Patient) -> None:
    sent: list[tuple[str, object]] = []

    def pre(sender: object, instance: CheckIn, **kwargs: object) -> None:
        instance.note = "Set by a receiver."  # stored: sent before the values are read
        sent.append(("pre_save", kwargs["update_fields"]))

    def post(sender: object, instance: CheckIn, **kwargs: object) -> None:
        sent.append(("post_save", kwargs["created"]))

    signals.pre_save.connect(pre, sender=CheckIn)
    signals.post_save.connect(post, sender=CheckIn)
    try:
        checkin = _checkin(alice, TODAY)
        prepared.insert(checkin)
        prepared.update(checkin, ["craving"])
    finally:
        signals.pre_save.disconnect(pre, sender=CheckIn)
        signals.post_save.disconnect(post, sender=CheckIn)

    assert CheckIn.objects.get().note == "Set by a receiver."
    assert sent == [
        ("pre_save", None), ("post_save", True),
        ("pre_save", frozenset({"craving"})), ("post_save", False),
    ]  # fmt: skip


def test_it_inserts_a_row_the_orm_reads_back_the_same(alice: Patient) -> None:
    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)

    stored = CheckIn.objects.get(pk=checkin.pk)
    assert not checkin._state.adding
    for field in CheckIn._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(checkin, field.attname), field.name


def test_it_refuses_a_duplicate_as_an_integrity_error(alice: Patient) -> None:
    prepared.insert(_checkin(alice, TODAY))
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert(_checkin(alice, TODAY))
    assert CheckIn.objects.filter(patient=alice).count() == 1


def test_it_updates_only_the_named_columns(alice: Patient) -> None:
    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)
    CheckIn.objects.filter(pk=checkin.pk).update(stress=4)  # changed by someone else
    checkin.craving, checkin.stress, checkin.triggers = 9, 0, ["money"]

    prepared.update(checkin, ["craving", "triggers"])

    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.craving, stored.stress, stored.triggers) == (9, 4, ["money"])


def _synchronous_commit() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_a_bookkeeping_update_on_its_own_commits_without_waiting_for_the_disk(
    alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL its statement turns the flush wait off for its own transaction: here,
    the test's, taken for the statement's own (autocommit) one. On SQLite it is a plain
    UPDATE (synchronous=NORMAL in WAL mode does not wait for the disk at commit)."""
    from django.db import connection

    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)
    checkin.craving = 2
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)

    prepared.update(checkin, ["craving"], bookkeeping=True)

    assert CheckIn.objects.get(pk=checkin.pk).craving == 2
    if connection.vendor == "postgresql":
        assert _synchronous_commit() == "off"


def test_a_bookkeeping_update_inside_a_transaction_leaves_its_commit_waiting(
    alice: Patient,
) -> None:
    """Inside a transaction it is a plain UPDATE: that transaction's own writes (a check-in)
    must still wait for the disk when they commit."""
    from django.db import connection

    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)
    checkin.craving = 1
    with transaction.atomic():
        prepared.update(checkin, ["craving"], bookkeeping=True)
        assert CheckIn.objects.get(pk=checkin.pk).craving == 1
        if connection.vendor == "postgresql":
            assert _synchronous_commit() == "on"


def test_it_refuses_to_update_a_row_that_is_gone(alice: Patient) -> None:
    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)
    CheckIn.objects.filter(pk=checkin.pk).delete()
    with pytest.raises(DatabaseError):
        prepared.update(checkin, ["craving"])


def test_it_reads_one_row_with_extra_columns(alice: Patient, dana: Patient) -> None:
    checkin = _checkin(alice, TODAY)
    prepared.insert(checkin)
    prepared.insert(_checkin(dana, TODAY))
    SubstanceUse.objects.create(
        organization_id=alice.organization_id, patient=alice, checkin=checkin,
        substance="ketamine", used_on=TODAY,
    )  # fmt: skip
    uses = (
        "use_count",
        '(SELECT COUNT(*) FROM "checkins_substanceuse" u WHERE u."checkin_id" = {table}."id")',
    )
    where = {"organization": alice.organization_id, "patient": alice.pk, "local_date": TODAY}

    found = prepared.first(CheckIn, where, extra=[uses])

    assert found is not None
    assert (found.pk, found.sleep_hours, found.symptoms, found.use_count) == (  # type: ignore[attr-defined]
        checkin.pk, Decimal("6.5"), ["bladder_pain"], 1,
    )  # fmt: skip
    assert found.local_date == TODAY and found.completed_at == checkin.completed_at
    yesterday = where | {"local_date": TODAY - dt.timedelta(days=1)}
    assert prepared.first(CheckIn, yesterday) is None


def test_it_keeps_a_uuid_key_as_the_orm_does(alice: Patient) -> None:
    key = uuid.uuid4()
    prepared.insert(
        SubmissionKey(
            organization_id=alice.organization_id, patient=alice, key=key, kind="checkin",
            fingerprint="f" * 64, object_id="1", created_at=timezone.now(),
        )
    )  # fmt: skip
    assert SubmissionKey.objects.get(patient=alice, key=key).object_id == "1"
