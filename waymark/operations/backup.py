"""Backups and restores of Waymark's one database (`manage.py backup`, `manage.py restore`).

SQLite: sqlite3's online backup API, in one step. The copy is made inside one read
transaction, so it is the database as of one instant even while the web process and the
worker keep writing (WAL lets them commit meanwhile; they never wait for the copy).
PostgreSQL: pg_dump, which also reads one snapshot; pg_restore puts it back. Point-in-time
recovery (WAL archiving) is set up on the server, not here: see README.md, *Production*.

A backup holds every patient's data: files are created readable by their owner only, and
appear under their final name only once complete and checked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal


class BackupError(Exception):
    """A backup or restore that could not be made; the message says what to do."""


def engine(database: Mapping[str, Any]) -> str:
    """'sqlite' or 'postgresql', from a Django DATABASES entry."""
    name = str(database["ENGINE"]).rsplit(".", 1)[-1]
    if name not in ("sqlite3", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return "sqlite" if name == "sqlite3" else "postgresql"


def default_name(database: Mapping[str, Any], now: dt.datetime) -> str:
    suffix = "sqlite3" if engine(database) == "sqlite" else "dump"
    return f"waymark-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.{suffix}"


@contextlib.contextmanager
def _private_partial(target: Path) -> Iterator[Path]:
    """A file beside `target`, mode 0600, renamed onto `target` if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield partial
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _check_sqlite(path: Path) -> None:
    """A readable SQLite database that passes integrity_check and has Waymark's tables."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from None
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is not a Waymark database (it has no django_migrations).")


def _copy_pages(
    source: Path, target: Path, *, live: Literal["source", "target"], journal_mode: str
) -> None:
    """Every page of SQLite file `source` (opened read-only) into `target` in one step, then
    `target` in `journal_mode`. The `live` side, the one the app writes, is waited on for up
    to five seconds when locked."""
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading,
        contextlib.closing(sqlite3.connect(target)) as writing,
    ):
        (reading if live == "source" else writing).execute("PRAGMA busy_timeout=5000")
        reading.backup(writing, pages=-1)
        writing.execute(f"PRAGMA journal_mode={journal_mode}")


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the live SQLite database `source` at `target`.

    `pages=-1` copies every page in one step, inside one read transaction: a step-wise
    copy would restart (or, with another process writing, never finish) on every commit.
    The copy is switched to a rollback journal so it is one self-contained file.
    """
    with _private_partial(target) as partial:
        _copy_pages(source, partial, live="source", journal_mode="DELETE")
        _check_sqlite(partial)


def restore_sqlite(source: Path, target: Path) -> None:
    """Replace the database at `target` with the backup `source`, in one transaction.

    The backup API writes the pages into the live file under its write lock, so a reader
    sees the old database or the restored one, never a mixture; its WAL mode is kept.
    """
    _check_sqlite(source)
    _copy_pages(source, target, live="target", journal_mode="WAL")


def libpq_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """pg_dump's connection as libpq variables: the password never appears in `ps`."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} was not found. Install PostgreSQL's client programs (the same major "
            f"version as the server, e.g. Debian's postgresql-client) and run this again."
        )
    return found


def _run(command: list[str], database: Mapping[str, Any]) -> None:
    done = subprocess.run(  # noqa: S603 - PostgreSQL's own client, arguments we built
        command, env=libpq_environment(database), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{done.stderr.strip()[-2000:]}")


def backup_postgresql(database: Mapping[str, Any], target: Path) -> None:
    """pg_dump in its custom format (compressed; pg_restore can restore it in parallel)."""
    pg_dump = _client("pg_dump")
    with _private_partial(target) as partial:
        _run([pg_dump, "--format=custom", f"--file={partial}"], database)
        _run([_client("pg_restore"), "--list", str(partial)], database)  # readable


def restore_postgresql(database: Mapping[str, Any], source: Path) -> None:
    """pg_restore over the live database in one transaction: all of it, or nothing.

    --clean drops each object before recreating it, so rows written since the backup go.
    Run it as the role that owns the tables (the one that runs migrations).
    """
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    # A file pg_restore cannot read is refused before anything is dropped.
    _run([_client("pg_restore"), "--list", str(source)], database)
    try:
        _restore(database, source)
    except BackupError as error:
        if "must be owner" not in str(error):
            raise
        raise BackupError(
            f"The role {database.get('USER') or '(default)'} does not own the tables, so it "
            "cannot replace them; nothing was changed. Run restore as the owner that runs "
            "the migrations (DATABASE_URL from /etc/waymark/migrate.env).\n" + str(error)
        ) from None


def _restore(database: Mapping[str, Any], source: Path) -> None:
    _run(
        [
            _client("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database['NAME']}",
            str(source),
        ],
        database,
    )
