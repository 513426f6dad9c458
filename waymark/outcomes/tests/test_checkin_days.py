"""The roll-up of days with a check-in (`CheckInDays`), kept by the database's own triggers,
and the counts read from it: whoever writes a check-in, moves it or deletes it, the bits are
the check-ins' days, the first time and the second; a range of days counts exactly the days
with a check-in in it, across block edges, on both databases."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections import defaultdict

from django.db import connection

from waymark.accounts.models import User
from waymark.checkins.models import CheckIn
from waymark.organizations.models import Organization
from waymark.outcomes.checkin_days import BLOCK_DAYS, bits_sql, blocks_join
from waymark.outcomes.engagement import adherence_by_week
from waymark.outcomes.models import CheckInDays
from waymark.outcomes.sql import bit_count_sql
from waymark.outcomes.tests.conftest import checkins, day, new_checkin, patient, scope_for
from waymark.patients.models import Patient

MIGRATION = importlib.import_module("waymark.outcomes.migrations.0003_checkin_days")


def rolled_up(organization: Organization) -> dict[tuple[str, int], int]:
    """{(patient's name, block): bits} of the roll-up's non-empty rows."""
    return {
        (row.patient.preferred_name, row.block): row.days
        for row in CheckInDays.objects.filter(organization=organization).select_related("patient")
        if row.days
    }


def from_checkins(organization: Organization) -> dict[tuple[str, int], int]:
    """The same, worked out in Python from the check-ins themselves."""
    found: dict[tuple[str, int], int] = defaultdict(int)
    for name, local_date in CheckIn.objects.filter(organization=organization).values_list(
        "patient__preferred_name", "local_date"
    ):
        number = local_date.toordinal()
        found[(name, number // BLOCK_DAYS)] |= 1 << (number % BLOCK_DAYS)
    return dict(found)


def test_it_sets_a_bit_for_each_day_with_a_check_in_however_it_was_written(
    northstar: Organization, harbour: Organization
) -> None:
    a = patient(northstar, "pat1")
    b = patient(northstar, "pat2")
    erin = patient(harbour, "erin")
    checkins(a, [0, 1, 5])  # one by one
    CheckIn.objects.bulk_create([new_checkin(b, day(n)) for n in range(-40, 3)])  # in bulk
    checkins(erin, [0])

    assert rolled_up(northstar) == from_checkins(northstar)
    assert len({block for _, block in rolled_up(northstar)}) >= 2  # b's days span blocks
    assert rolled_up(harbour) == from_checkins(harbour) != {}
    first = day(0).toordinal()
    assert rolled_up(northstar)[("Pat1", first // 32)] & (1 << first % 32)


def test_it_clears_a_deleted_check_ins_day_and_follows_a_moved_one_each_time(
    northstar: Organization,
) -> None:
    a = patient(northstar, "pat1")
    b = patient(northstar, "pat2")
    checkins(a, [0, 1, 2])
    monday = CheckIn.objects.get(patient=a, local_date=day(1))

    monday.delete()
    assert rolled_up(northstar) == from_checkins(northstar)
    CheckIn.objects.filter(patient=a, local_date=day(2)).update(local_date=day(-60))  # moved
    assert rolled_up(northstar) == from_checkins(northstar)
    CheckIn.objects.filter(patient=a, local_date=day(-60)).update(patient=b)  # to another
    assert rolled_up(northstar) == from_checkins(northstar)
    checkins(a, [1])  # the deleted day checked in again: set again
    CheckIn.objects.filter(patient=b).delete()
    assert rolled_up(northstar) == from_checkins(northstar)
    assert set(rolled_up(northstar)) == {("Pat1", day(0).toordinal() // 32)}


def test_an_edit_of_the_same_day_fires_no_trigger(northstar: Organization) -> None:
    a = patient(northstar, "pat1")
    checkins(a, [3])
    CheckInDays.objects.filter(patient=a).update(days=0)  # a trigger that ran would set it
    edited = CheckIn.objects.get(patient=a)

    edited.mood, edited.revision = 5, 2
    edited.save()  # every column written again, the day among them
    assert CheckInDays.objects.get(patient=a).days == 0

    CheckIn.objects.filter(pk=edited.pk).update(local_date=day(2))  # a real move does
    assert rolled_up(northstar) == from_checkins(northstar)


def test_a_deleted_check_in_adds_no_row_so_an_erased_patient_leaves_none(
    northstar: Organization,
) -> None:
    a = patient(northstar, "pat1")
    checkins(a, [0, 1])
    CheckInDays.objects.filter(patient=a).delete()  # as erasure may, before the check-ins

    CheckIn.objects.filter(patient=a).delete()

    assert not CheckInDays.objects.filter(patient=a).exists()


def test_the_migration_rolls_up_the_check_ins_it_finds_as_the_triggers_do(
    northstar: Organization,
) -> None:
    a = patient(northstar, "pat1")
    checkins(a, [*range(-70, -50), 0, 29])
    checkins(patient(northstar, "pat2"), [4])
    kept = rolled_up(northstar)
    CheckInDays.objects.all().delete()

    sqlite = connection.vendor == "sqlite"
    statements = [MIGRATION.SQLITE_ROLL_UP] if sqlite else MIGRATION.POSTGRES_ROLL_UP
    with connection.cursor() as cursor:
        for statement in statements:  # the migration's own, its lock included
            cursor.execute(statement)

    assert rolled_up(northstar) == kept == from_checkins(northstar)


def count_days(person: Patient, first: dt.date, last: dt.date) -> int:
    """Days with a check-in from `first` to `last`, as the dashboard counts them."""
    sql = (
        f"WITH w AS (SELECT CAST(%s AS INTEGER) AS f, CAST(%s AS INTEGER) AS l), "
        f"bits AS MATERIALIZED (SELECT {bits_sql('r', 'w.f', 'w.l')} AS x FROM w "
        f"{blocks_join('r', '%s', 'w.f', 'w.l')}) "
        f"SELECT COALESCE(SUM({bit_count_sql('bits.x')}), 0) FROM bits"
    )
    with connection.cursor() as cursor:
        patient_id = Patient._meta.pk.get_db_prep_value(person.pk, connection)  # type: ignore[union-attr]
        params = [first.toordinal(), last.toordinal(), person.organization_id, patient_id]
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def test_it_counts_exactly_the_days_with_a_check_in_in_any_range(northstar: Organization) -> None:
    rng = random.Random(18)
    a = patient(northstar, "pat1")
    origin = day(-200)
    days = sorted(rng.sample(range(230), 150))  # dense and sparse stretches, ~7 blocks
    CheckIn.objects.bulk_create([new_checkin(a, origin + dt.timedelta(days=n)) for n in days])
    edge = origin + dt.timedelta(days=-origin.toordinal() % 32)  # a block's first day
    ranges = [
        (edge, edge + dt.timedelta(days=31)),  # one whole block
        (edge - dt.timedelta(days=1), edge),  # the last day of one and the first of the next
        (edge + dt.timedelta(days=31), edge + dt.timedelta(days=31)),  # bit 31 alone
        (origin - dt.timedelta(days=10), origin + dt.timedelta(days=240)),  # everything
    ]
    for _ in range(40):
        first = origin + dt.timedelta(days=rng.randrange(-5, 235))
        ranges.append((first, first + dt.timedelta(days=rng.randrange(0, 90))))

    for first, last in ranges:
        expected = sum(1 for n in days if first <= origin + dt.timedelta(days=n) <= last)
        assert count_days(a, first, last) == expected, (first, last)


def test_it_counts_each_week_of_care_from_the_roll_up_as_from_the_check_ins(
    northstar: Organization, bob: User
) -> None:
    rng = random.Random(7)
    stays = []
    for n in range(8):  # admitted on days of the week and of the block that differ
        admitted = -rng.randrange(0, 110)
        person = patient(northstar, f"pat{n}", admitted=admitted)
        start = day(admitted)
        taken = sorted(rng.sample(range(-3, 100), rng.randrange(5, 80)))
        on = [start + dt.timedelta(days=k) for k in taken]
        CheckIn.objects.bulk_create([new_checkin(person, d) for d in on if d <= day(29)])
        stays.append((start, on))
    scope = scope_for(bob, start=day(-120))

    expected: dict[int, int] = defaultdict(int)
    for start, on in stays:
        whole = min(12, ((day(29) - start).days + 1) // 7)
        for d in on:
            week = (d - start).days // 7 + 1
            if 1 <= week <= whole and d <= day(29):
                expected[week] += 1

    found = {row.week: row.days_with_checkin for row in adherence_by_week(scope)}
    assert found == {week: expected[week] for week in found}
    assert sum(found.values()) > 100
