"""The dashboard's figures computed in lanes over one snapshot (lanes.py, issue 18 point 7).

Inside a test's transaction the lanes fall back to this connection (other connections
cannot see its rows), so the lanes themselves are tested in a process of their own over a
real, committed database (`run_script`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.db import connection

from waymark.checkins.models import CheckIn
from waymark.organizations.models import Organization
from waymark.outcomes.lanes import over_one_snapshot
from waymark.outcomes.tests.conftest import checkins, patient
from waymark.testing.real_database import run_script

# A small cohort with something in every figure, committed; the dashboard's figures and
# the CSV tables in lanes and on one connection (LANES = 1), written out as JSON to
# compare; and which threads ran the statements (the lanes get the caller's execute
# wrappers).
SAME_FIGURES = """
import dataclasses, datetime as dt, json, threading
from django.db import connection
from waymark.conftest import create_northstar, make_member
from waymark.organizations.models import Role
from waymark.outcomes import dashboard, exports, lanes
from waymark.outcomes.tests.conftest import checkins, day, patient, response, scope_for
from waymark.patients.models import DischargeDestination
from waymark.patients.services import discharge

northstar = create_northstar()
olivia = make_member(northstar, "olivia", Role.ADMIN)
patient_named = {}
for n in range(6):
    person = patient_named[f"pat{n}"] = patient(northstar, f"pat{n}", admitted=n)
    checkins(person, range(n, 30, n + 1), uses={n + 2 * (n + 1): ["ketamine"]})
    response(person, "phq-9", n, 20 - n)
    response(person, "phq-9", n + 28 if n < 2 else n + 1, 4 + n)
    response(person, "gad-7", n, 12)
    if n % 2:
        discharge(person.episodes.get(), on=day(25), destination=DischargeDestination.HOME)

def plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "__dict__") and not hasattr(value, "_meta"):
        return plain(vars(value))
    return str(value)

# The page's figures and each CSV table (one part: one lane); whichever comes first must
# refresh the measures' roll-up itself.
def figures(lane_count, *, tables_first=True):
    lanes.LANES = lane_count
    threads = set()
    def seen(execute, *args):
        threads.add(threading.get_ident())
        return execute(*args)
    def tables():
        return {
            table: exports.table_rows(scope_for(olivia), table, "admission")
            for table in exports.TABLES
        }
    with connection.execute_wrapper(seen):
        first = tables() if tables_first else None
        found = dashboard.figures(scope_for(olivia), anchor="admission")
        found["tables"] = first if tables_first else tables()
    return json.dumps(plain(found), sort_keys=True), len(threads)

together, lanes_used = figures(2)
alone, one = figures(1)
print(together == alone, lanes_used, one, '"ketamine"' in together, len(together))

# The second report, after a new answer (a GAD-7 four weeks after pat0's baseline): the
# roll-up refreshed before the lanes read it, so they see it as one connection does.
response(patient_named["pat0"], "gad-7", 28, 2)
again, _ = figures(2, tables_first=False)  # the page first, this time
again_alone, _ = figures(1)
print(again == again_alone, again != together)
"""


def test_the_lanes_give_the_figures_one_connection_gives(tmp_path: Path) -> None:
    output = run_script(tmp_path, SAME_FIGURES).split()
    same, lanes_used, one, has_uses, size, again_same, changed = output
    assert (lanes_used, one) == ("2", "1"), "two connections at once, then one"
    assert same == "True", "every figure the same either way"
    assert has_uses == "True" and int(size) > 2_000, "the figures are not empty"
    assert (again_same, changed) == ("True", "True"), "the next report sees the new answer"


# A check-in committed by another connection while a lane is joining the snapshot: no lane
# sees it (PostgreSQL: the lane imports the first lane's snapshot, not its own; SQLite: the
# write waits for the gate, which opens once every lane has read). Then a failing part: its
# error comes out of over_one_snapshot, after the other lane has stopped.
SNAPSHOT = """
import datetime as dt, threading
from django.db import connection
from waymark.checkins.models import CheckIn
from waymark.conftest import create_northstar
from waymark.outcomes import lanes
from waymark.outcomes.tests.conftest import checkins, day, patient

northstar = create_northstar()
pat = patient(northstar, "pat")
checkins(pat, range(10))
before = CheckIn.objects.count()

def write():
    try:
        checkins(pat, [20])
    finally:
        connection.close()

writer = threading.Thread(target=write)
originals = {kind: kind.joined for kind in (lanes._Postgres, lanes._Sqlite)}
for kind, original in originals.items():
    def joined(self, original=original):
        writer.start()
        writer.join(1.0)  # committed by now, unless something holds it back
        return original(self)
    kind.joined = joined

second_started = threading.Event()
def first():
    second_started.wait(10)  # so the other lane takes the second part
    writer.join()
    return CheckIn.objects.count(), threading.get_ident()
def second():
    second_started.set()
    writer.join()
    return CheckIn.objects.count(), threading.get_ident()

seen = lanes.over_one_snapshot({"first": first, "second": second})
(a, lane_a), (b, lane_b) = seen["first"], seen["second"]
print(before, a, b, CheckIn.objects.count(), lane_a != lane_b)
for kind, original in originals.items():
    kind.joined = original

def broken():
    raise ValueError("a part failed")
try:
    lanes.over_one_snapshot({"slow": lambda: CheckIn.objects.count(), "broken": broken})
except ValueError as error:
    print(error.args[0].replace(" ", "_"), threading.active_count())
"""


def test_every_lane_reads_the_same_snapshot_and_a_failure_comes_out(tmp_path: Path) -> None:
    before, first, second, after, two_lanes, error, threads = run_script(tmp_path, SNAPSHOT).split()
    assert two_lanes == "True", "the parts ran in two lanes"
    assert (first, second) == (before, before), "neither lane saw the later check-in"
    assert int(after) == int(before) + 1, "which did commit"
    assert error == "a_part_failed" and threads == "1", "raised here, the other lane gone"


def test_inside_a_transaction_it_reads_on_this_connection(northstar: Organization) -> None:
    checkins(patient(northstar, "pat"), range(3))  # uncommitted: this test's transaction
    threads: set[int] = set()

    def seen(execute: Any, *args: Any) -> Any:
        threads.add(threading.get_ident())
        return execute(*args)

    with connection.execute_wrapper(seen):
        found = over_one_snapshot(
            {"a": lambda: CheckIn.objects.count(), "b": lambda: CheckIn.objects.count()}
        )

    assert found == {"a": 3, "b": 3}, "it saw this transaction's rows"
    assert threads == {threading.get_ident()}, "on this thread's connection alone"


# What the scripts below start from: a patient with three check-ins, committed; `count`
# (which thread counted); `originals`, the joins the scripts replace for a while.
PATIENT_WITH_THREE_CHECKINS = """
import sqlite3, threading, time
from django.db import connection
from waymark.checkins.models import CheckIn
from waymark.conftest import create_northstar
from waymark.outcomes import lanes
from waymark.outcomes.tests.conftest import checkins, patient

northstar = create_northstar()
pat = patient(northstar, "pat")
checkins(pat, range(3))
def count():
    return CheckIn.objects.count(), threading.get_ident()

originals = {kind: kind.joined for kind in (lanes._Postgres, lanes._Sqlite)}
"""

# The other lane cannot join (no connection to be had, say): the first lane computes every
# part itself, at once. A part that writes fails (the lanes read only) and nothing of it
# lands. Afterwards this connection is in no transaction and a write commits at once (on
# SQLite: the gate let go of the write lock). A check-in made while a report (one part: an
# export) runs commits at once: the report holds no write lock.
FAILURES = (
    PATIENT_WITH_THREE_CHECKINS
    + """
def refused(self):
    raise RuntimeError("no connection to be had")
for kind in originals:
    kind.joined = refused
began = time.monotonic()
found = lanes.over_one_snapshot({"a": count, "b": count})
alone = {found["a"][1], found["b"][1]} == {threading.get_ident()}
print(found["a"][0], found["b"][0], alone, time.monotonic() - began < 5)
for kind, original in originals.items():
    kind.joined = original

def write():
    checkins(pat, [10])
try:
    lanes.over_one_snapshot({"a": count, "write": write})
except Exception as error:
    print(type(error).__name__)

began = time.monotonic()
checkins(pat, [11])
print(connection.in_atomic_block, CheckIn.objects.count(), time.monotonic() - began < 1)

def check_in_elsewhere():
    try:
        checkins(pat, [12])
    finally:
        connection.close()
def meanwhile():
    began = time.monotonic()
    writer = threading.Thread(target=check_in_elsewhere)
    writer.start()
    writer.join()
    return time.monotonic() - began < 1
print(lanes.over_one_snapshot({"export": meanwhile})["export"], CheckIn.objects.count())
"""
)


def test_a_lane_that_cannot_join_or_a_part_that_writes(tmp_path: Path) -> None:
    output = run_script(tmp_path, FAILURES).split()
    first, second, alone, promptly, error, in_transaction, count, at_once, *meanwhile = output
    assert (first, second, alone, promptly) == ("3", "3", "True", "True"), "alone, at once"
    assert error in {"OperationalError", "InternalError"}, "the write was refused"
    assert (in_transaction, count, at_once) == ("False", "4", "True"), "only the later one"
    assert meanwhile == ["True", "5"], "a check-in during a report is not kept waiting"


# A lane that joins later than JOIN_WAIT_S: the first lane computes everything without
# waiting for it, and lets writers go on. One part: no second connection, no gate, so a
# writer holding the write lock does not stop it (SQLite). No parts: nothing, at once.
# Afterwards the request's connection is as Waymark configured it (IMMEDIATE on SQLite).
LATE = (
    PATIENT_WITH_THREE_CHECKINS
    + """
for kind, original in originals.items():
    def late(self, original=original):
        time.sleep(lanes.JOIN_WAIT_S + 1.5)
        return original(self)
    kind.joined = late
began = time.monotonic()
found = lanes.over_one_snapshot({"a": count, "b": count})
waited = time.monotonic() - began
alone = {found["a"][1], found["b"][1]} == {threading.get_ident()}
print(found["a"][0], found["b"][0], alone, lanes.JOIN_WAIT_S <= waited < lanes.JOIN_WAIT_S + 1)
for kind, original in originals.items():
    kind.joined = original

holder = None
if connection.vendor == "sqlite":
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
began = time.monotonic()
one = lanes.over_one_snapshot({"a": count})
print(one["a"][0], time.monotonic() - began < 1)
if holder is not None:
    holder.rollback()
print(lanes.over_one_snapshot({}), getattr(connection, "transaction_mode", "IMMEDIATE"))
"""
)


def test_a_late_lane_one_part_and_none(tmp_path: Path) -> None:
    first, second, alone, in_time, one, at_once, nothing, mode = run_script(tmp_path, LATE).split()
    assert (first, second, alone, in_time) == ("3", "3", "True", "True"), "not waited for"
    assert (one, at_once) == ("3", "True"), "one part reads beside a writer"
    assert (nothing, mode) == ("{}", "IMMEDIATE"), "no parts; the connection as it was"
