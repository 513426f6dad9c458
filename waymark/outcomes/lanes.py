"""A report's figures computed on two database connections at once, over one snapshot
(issue 18 point 7).

Each of the dashboard's big statements reads a large share of a year's data (the missed
list every response, the measures every stay's scores); on one connection they
run one after another on one core while the other core idles. `over_one_snapshot` runs the
parts in LANES lanes: this thread's connection and LANES − 1 threads with their own, each
lane taking the next part (the largest first, as the caller orders them) until none is left.
Every lane reads the same snapshot, so the figures agree with each other as they did in one
transaction:

- PostgreSQL: this thread's transaction (REPEATABLE READ) exports its snapshot
  (`pg_export_snapshot()`) and every other lane imports it (`SET TRANSACTION SNAPSHOT`),
  as `pg_dump --jobs` does.
- SQLite (WAL): a read transaction's snapshot is taken at its first read. A separate
  connection holds the write lock (BEGIN IMMEDIATE) while every lane makes its first read,
  so no write commits between them; writers wait (busy timeout) those few milliseconds.
  The lanes' transactions are DEFERRED and only read, so a report no longer holds the write
  lock while it runs: the one-connection report (`reporting`, an IMMEDIATE transaction under
  Waymark's settings) kept every check-in waiting for its whole length.

The lanes only read (READ ONLY on PostgreSQL, `PRAGMA query_only` on SQLite): a part that
tried to write would fail rather than write where nobody commits it. A lane that cannot join
(no connection to be had) gives up at once, and one that has not joined within JOIN_WAIT_S
is not waited for: the first lane computes every part itself. One part: one lane, with no
second connection, no export and no gate.

`prepare` (the measures' roll-up refresh, which writes) runs before, in its own transaction,
and commits: every lane then reads it. An answer committed in the milliseconds between that
commit and the snapshot is in the other figures at once and in the measures at the next
report. The missed list's names are read and audited afterwards in one transaction of
their own (`missed.with_names`): the counts beside them are a snapshot that much older.

One connection, one transaction (`reporting`) instead when the caller is in a transaction
already (other connections cannot see its uncommitted rows: a test's, for one) or the
database is SQLite in memory (a connection of its own would be another database).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from django.db import connection, transaction

from waymark.outcomes.scope import REPORT_WORK_MEM, reporting

# The cores of the machine the targets are set for (DESIGN.md: 2), and so the database
# connections one report uses.
LANES = 2
# How long the first lane waits for the others to join (milliseconds, normally) before it
# goes on alone: well under SQLite's busy timeout (5 s), as writers wait for the gate.
JOIN_WAIT_S = 2
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")
logger = logging.getLogger(__name__)


def over_one_snapshot(
    parts: Mapping[str, Callable[[], Any]], *, prepare: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Each part's result by name, every part reading one snapshot of the data."""
    if not parts:
        return {}
    if not _may_share():
        with reporting():
            if prepare is not None:
                prepare()
            return {name: part() for name, part in parts.items()}
    if prepare is not None:
        with reporting():
            prepare()
    return _in_lanes(parts)


def _may_share() -> bool:
    """Whether other connections see what this one sees (see the module's docstring)."""
    if connection.in_atomic_block or LANES < 2:
        return False
    if connection.vendor == "postgresql":
        return True
    name = str(connection.settings_dict["NAME"])
    return bool(name) and name != ":memory:" and "mode=memory" not in name


def _in_lanes(parts: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Every part computed by the first free lane. A part's error stops the lanes taking
    more and is raised here once they have stopped. A lane that cannot join (no connection
    to be had, say) gives up at once and the first lane computes the rest alone."""
    queue = list(parts.items())
    taken = threading.Lock()
    results: dict[str, Any] = {}
    failures: list[BaseException] = []

    def work() -> None:
        while not failures:
            with taken:
                if not queue:
                    return
                name, part = queue.pop(0)
            try:
                results[name] = part()
            except BaseException as error:  # raised in the calling thread
                failures.append(error)

    others = min(LANES, len(parts)) - 1
    snapshot = _Postgres() if connection.vendor == "postgresql" else _Sqlite()
    barrier = threading.Barrier(others + 1, timeout=JOIN_WAIT_S)
    # Whatever watches this connection's statements (a count, a time limit) sees the lanes'.
    wrappers = list(connection.execute_wrappers)

    def lane() -> None:
        connection.execute_wrappers[:0] = wrappers
        try:
            with ExitStack() as stack:
                try:
                    stack.enter_context(snapshot.joined())
                except BaseException:
                    barrier.abort()  # the first lane goes on without this one
                    raise
                if _arrived(barrier):
                    work()
        except Exception:
            logger.warning("An outcomes lane could not join or leave its snapshot.", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    with snapshot.first(shared=others > 0):
        threads = [threading.Thread(target=lane, daemon=True) for _ in range(others)]
        for thread in threads:
            thread.start()
        all_there = False
        try:
            all_there = _arrived(barrier)
            snapshot.all_joined()
            work()
        finally:
            # Lanes that came late or gave up do no work: not waited for (one may hang on
            # connecting); it closes its connection when it can.
            for thread in threads if all_there else ():
                thread.join()
    if failures:
        raise failures[0]
    return results


def _arrived(barrier: threading.Barrier) -> bool:
    """Wait for every lane to hold its snapshot; False when one gave up or was too late
    (the lanes that are there go on; a late one must not, its snapshot may be newer)."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        return False
    return True


class _Postgres:
    """The first lane's transaction exports its snapshot; the others import it. READ ONLY:
    a part that tried to write would fail, not write in a transaction nobody checks."""

    def __init__(self) -> None:
        self.exported = ""

    @contextmanager
    def first(self, *, shared: bool) -> Iterator[None]:
        export = "pg_export_snapshot()" if shared else "''"
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(
                    f"SELECT {export}, set_config('work_mem', %s, true)", [REPORT_WORK_MEM]
                )
                self.exported = cursor.fetchone()[0]
            yield

    @contextmanager
    def joined(self) -> Iterator[None]:
        # An identifier PostgreSQL made, in the SQL itself: SET takes no parameters when
        # they are bound on the server.
        if not SNAPSHOT_ID.fullmatch(self.exported):
            raise ValueError(f"Not a snapshot identifier: {self.exported!r}")
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{self.exported}'")
                cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
            yield

    def all_joined(self) -> None:
        """Nothing to let go: the export lasts as long as the first lane's transaction."""


class _Sqlite:
    """Every lane's first read made while a separate connection holds the write lock."""

    def __init__(self) -> None:
        self.gate: sqlite3.Connection | None = None

    @contextmanager
    def first(self, *, shared: bool) -> Iterator[None]:
        if not shared:  # one lane: its own first read fixes the snapshot
            with _reading():
                yield
            return
        name = str(connection.settings_dict["NAME"])
        timeout = float(connection.settings_dict["OPTIONS"].get("timeout", 5))
        # uri: a 'file:' name means what it means to Django's own connections.
        self.gate = sqlite3.connect(name, timeout=timeout, isolation_level=None, uri=True)
        try:
            self.gate.execute("BEGIN IMMEDIATE")  # no write commits until all_joined
            with _reading():
                yield
        finally:
            self.gate.close()  # rolls back if all_joined was not reached

    @contextmanager
    def joined(self) -> Iterator[None]:
        with _reading():
            yield

    def all_joined(self) -> None:
        if self.gate is not None:
            self.gate.execute("ROLLBACK")  # writers may go on


@contextmanager
def _reading() -> Iterator[None]:
    """Django's own transaction on SQLite, but DEFERRED (Waymark's take the write lock:
    IMMEDIATE), with its first read, which fixes its snapshot; read only
    (`PRAGMA query_only`), so a part that tried to write would fail."""
    sqlite: Any = connection  # its transaction_mode is the SQLite backend's own
    sqlite.ensure_connection()
    mode = sqlite.transaction_mode
    sqlite.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic():  # BEGIN DEFERRED, at once
            sqlite.transaction_mode = mode
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = ON")
                cursor.execute("SELECT COUNT(*) FROM sqlite_master")
            yield
    finally:
        sqlite.transaction_mode = mode
        # After the transaction: inside one a part's error forbids any further statement.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")
