"""`manage.py backup` and `manage.py restore`: a round trip gives back every row of every
table, and a SQLite backup taken while another connection writes is one consistent instant."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from waymark.operations.backup import BackupError, backup_sqlite, restore_sqlite
from waymark.testing.real_database import OWNER_URL, as_owner, manage, real_database

DUMP = "from waymark.operations.tests.tables import print_tables; print_tables()"
# A change after the backup that the restore must undo (a user, and the audit trail's
# append-only table, which only a restore may take back: a copy of its first row, when the
# database has one; pytest-xdist may run a test of this module before the seeded one).
CHANGE = (
    "from waymark.accounts.models import User; User.objects.create_user(username='after'); "
    "from waymark.audit.models import AuditEvent; e = AuditEvent.objects.first()\n"
    "if e is not None: e.pk = None; e.id = None; e.save()"
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database for the module (migrating is most of each test's time)."""
    with real_database(tmp_path_factory.mktemp("database")) as environment:
        # seed_demo runs only on a demo or debug install.
        yield {**environment, "DEBUG": "1"}


def tables(env: dict[str, str]) -> dict[str, list[list[Any]]]:
    return json.loads(manage(env, "shell", "-v0", "-c", DUMP))  # type: ignore[no-any-return]


def test_it_restores_every_table_row_for_row(env: dict[str, str], tmp_path: Path) -> None:
    manage(env, "seed_demo", "-v0", timeout=300)
    before = tables(env)
    assert len(before) > 40
    assert sum(len(rows) for rows in before.values()) > 3000, "the demo fills the tables"
    backup = tmp_path / "kept" / "waymark.backup"

    said = manage(env, "backup", "--output", str(backup))

    assert f"Backed up to {backup}" in said
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600, "a backup is every patient's data"
    manage(env, "shell", "-v0", "-c", CHANGE)
    changed = tables(env)
    assert changed["accounts_user"] != before["accounts_user"]
    assert changed["audit_auditevent"] != before["audit_auditevent"]

    # The README runs restore as the owner (migrate.env): it drops and recreates tables.
    said = manage(as_owner(env), "restore", str(backup), "--no-input")

    after = tables(env)
    assert sorted(after) == sorted(before)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"
    kept = Path(said.split("is kept in ")[1].split(".\n")[0].rstrip("."))
    assert kept.is_file(), "the database as it was before the restore is kept"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_it_tells_the_app_role_to_restore_as_the_owner(env: dict[str, str], tmp_path: Path) -> None:
    if OWNER_URL not in env:
        pytest.skip("only when the processes connect as an app role (CI on PostgreSQL)")
    backup = tmp_path / "waymark.backup"
    manage(env, "backup", "--output", str(backup))
    manage(env, "shell", "-v0", "-c", CHANGE)
    changed = tables(env)

    with pytest.raises(RuntimeError, match="does not own the tables") as refused:
        manage(env, "restore", str(backup), "--no-input")

    assert "migrate.env" in str(refused.value)
    assert tables(env) == changed, "nothing was changed"


def test_it_refuses_a_file_that_is_not_a_waymark_backup(
    env: dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database" * 100)

    with pytest.raises(RuntimeError, match=r"not a readable SQLite database|pg_restore failed"):
        manage(env, "restore", str(junk), "--no-input")

    assert tables(env)["django_migrations"], "the database is untouched"


def test_it_will_not_overwrite_an_earlier_backup(env: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "waymark.backup"
    manage(env, "backup", "--output", str(backup))
    first = backup.read_bytes()

    with pytest.raises(RuntimeError, match="already exists"):
        manage(env, "backup", "--output", str(backup))

    assert backup.read_bytes() == first


# The SQLite backup on its own: one writer commits pairs of rows as fast as it can while
# the backups run; every copy must hold whole pairs (one instant) and pass integrity_check.


def _writer(path: Path, stop: threading.Event, committed: list[int]) -> None:
    with sqlite3.connect(path, isolation_level=None) as db:
        db.execute("PRAGMA busy_timeout=5000")
        n = 0
        while not stop.is_set():
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO pair (n, half) VALUES (?, 1)", (n,))
            db.execute("INSERT INTO pair (n, half) VALUES (?, 2)", (n,))
            db.execute("COMMIT")
            n += 1
            committed[0] = n


def test_it_takes_a_consistent_sqlite_copy_while_another_connection_writes(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY)")
        db.execute("CREATE TABLE pair (n, half, pad DEFAULT (hex(zeroblob(99))))")
    stop, committed = threading.Event(), [0]
    writer = threading.Thread(target=_writer, args=(live, stop, committed))
    writer.start()
    counts = []
    try:
        while committed[0] < 200:
            time.sleep(0.01)
        for n in range(5):
            copy = tmp_path / f"copy{n}.sqlite3"
            backup_sqlite(live, copy)
            with sqlite3.connect(copy) as db:
                halves = dict(db.execute("SELECT half, count(*) FROM pair GROUP BY half"))
                assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert halves[1] == halves[2], "a copy holds whole transactions only"
            counts.append(halves[1])
    finally:
        stop.set()
        writer.join()
    assert counts == sorted(counts) and counts[-1] > counts[0], "the writer kept committing"
    assert not list(tmp_path.glob(".*.partial")), "no half-written file is left behind"


def test_it_restores_a_sqlite_copy_over_the_live_file(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO django_migrations (name) VALUES ('kept')")
    backup_sqlite(live, copy)
    with sqlite3.connect(live) as db:
        db.execute("INSERT INTO django_migrations (name) VALUES ('after the backup')")

    restore_sqlite(copy, live)

    with sqlite3.connect(live) as db:
        assert db.execute("SELECT name FROM django_migrations").fetchall() == [("kept",)]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_it_refuses_to_restore_a_database_that_is_not_waymark(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")

    with pytest.raises(BackupError, match="not a Waymark database"):
        restore_sqlite(other, tmp_path / "live.sqlite3")

    assert not os.path.exists(tmp_path / "live.sqlite3")
