"""waymark/prepared.py writes and reads rows as the ORM would, signals included."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.db.models import signals
from django.utils import timezone

from waymark import prepared
from waymark.checkins.models import CheckIn, SubmissionKey, SubstanceUse
from waymark.conftest import TODAY
from waymark.patients.models import Patient
from waymark.risk.models import PendingReassessment

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


def _key(patient: Patient, key: uuid.UUID) -> prepared.Then:
    row = SubmissionKey(
        organization_id=patient.organization_id, patient=patient, key=key, kind="checkin",
        fingerprint="f" * 64, created_at=timezone.now(),
    )  # fmt: skip
    return prepared.Then(row, id_into="object_id")


def _queued(patient: Patient, claimed: dt.datetime | None = None) -> prepared.Then:
    row = PendingReassessment(
        organization_id=patient.organization_id, patient=patient, queued_at=timezone.now(),
        claimed_at=claimed, claimed_by="worker-1" if claimed else "",
    )  # fmt: skip
    return prepared.Then(row, unless_taken=("organization", "patient"), renew_if_set="claimed_at")


def _upsert(checkin: CheckIn, *then: prepared.Then) -> bool | None:
    return prepared.upsert(
        checkin, key=("organization", "patient", "local_date"), update=("craving",),
        counter="revision", same="completed_on", then=then,
    )  # fmt: skip


def test_it_writes_the_inserts_that_go_with_an_upsert_with_its_id(alice: Patient) -> None:
    sent: list[type] = []

    def post(sender: type, **kwargs: object) -> None:
        sent.append(sender)

    key, queued = _key(alice, uuid.uuid4()), _queued(alice)
    signals.post_save.connect(post)
    try:
        with transaction.atomic():
            created = _upsert(_checkin(alice, TODAY), queued, key)
    finally:
        signals.post_save.disconnect(post)

    checkin = CheckIn.objects.get()
    stored = SubmissionKey.objects.get()
    assert created is True
    assert (stored.pk, stored.object_id) == (key.instance.pk, str(checkin.pk))
    assert PendingReassessment.objects.get().pk == queued.instance.pk
    assert sent == [CheckIn, PendingReassessment, SubmissionKey]


def test_it_writes_none_of_them_when_the_upsert_writes_nothing(alice: Patient) -> None:
    _upsert(_checkin(alice, TODAY))
    later = _checkin(alice, TODAY)
    later.completed_on = TODAY + dt.timedelta(days=1)  # `same` differs: left as it was

    with transaction.atomic():
        written = _upsert(later, _queued(alice), _key(alice, uuid.uuid4()))

    assert written is None
    assert (SubmissionKey.objects.count(), PendingReassessment.objects.count()) == (0, 0)
    assert CheckIn.objects.get().revision == 1


def test_an_insert_that_breaks_a_constraint_undoes_the_upsert_too(alice: Patient) -> None:
    key = uuid.uuid4()
    with transaction.atomic():
        _upsert(_checkin(alice, TODAY), _key(alice, key))
    again = _checkin(alice, TODAY)
    again.craving = 9

    with pytest.raises(IntegrityError), transaction.atomic():
        _upsert(again, _queued(alice), _key(alice, key))  # the same key again

    stored = CheckIn.objects.get()
    assert (stored.craving, stored.revision) == (4, 1)
    assert (SubmissionKey.objects.count(), PendingReassessment.objects.count()) == (1, 0)


def test_an_insert_that_renews_takes_only_a_claimed_row(alice: Patient) -> None:
    claimed = timezone.now()
    with transaction.atomic():
        _upsert(_checkin(alice, TODAY), _queued(alice, claimed=claimed))
    assert PendingReassessment.objects.get().claimed_at == claimed

    with transaction.atomic():
        _upsert(_checkin(alice, TODAY), _queued(alice))  # an edit: back in the queue

    renewed = PendingReassessment.objects.get()
    assert (renewed.claimed_at, renewed.claimed_by) == (None, "")
    unclaimed = _queued(alice)
    unclaimed.instance.queued_at = claimed + dt.timedelta(hours=1)  # type: ignore[attr-defined]
    with transaction.atomic():
        _upsert(_checkin(alice, TODAY), unclaimed)  # still queued: left as it is
    assert PendingReassessment.objects.get().queued_at == renewed.queued_at
    assert unclaimed.instance.pk is None, "nothing written for it"


def test_a_value_too_long_for_its_column_is_refused_not_cut_short(alice: Patient) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not check a column's length")
    key = _key(alice, uuid.uuid4())
    key.instance.kind = "k" * 21  # type: ignore[attr-defined]  # the column holds 20

    with pytest.raises(DataError), transaction.atomic():
        _upsert(_checkin(alice, TODAY), key)

    assert (CheckIn.objects.count(), SubmissionKey.objects.count()) == (0, 0)
