"""A real, migrated database for tests that run Waymark in other processes.

pytest-django's test database is private to the test process (in memory for SQLite)
and is flushed between transactional tests, which the audit table's triggers refuse.
Tests that start a worker or a web server use one of these instead: a SQLite file, or
a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL; dropped afterwards.

Migrating takes ~20 s of CPU (Django renders the model state of 150 migrations), so a
run migrates one database once and copies it for each of these (issue 13, point 7): the
benchmarks name theirs (bench/common.py), the test suite's is built on first use under a
lock that its pytest-xdist workers share (`shared_template`, waymark/conftest.py), and
each worker's own test database starts as a copy of it too (`fill_from_template`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
# Where _as_app_role keeps the owner's connection for the commands only the owner may run.
OWNER_URL = "WAYMARK_TEST_OWNER_DATABASE_URL"
# A migrated database that real_database() copies when none is given: a SQLite file's path
# or a PostgreSQL database's name (bench/common.py migrated_template sets it for a run).
TEMPLATE_ENV = "WAYMARK_MIGRATED_TEMPLATE"
# A folder the test run's processes share: real_database() builds the template there on
# first use (shared_template) when TEMPLATE_ENV is not set.
SHARED_DIR_ENV = "WAYMARK_TEST_SHARED_DIR"


def _postgres_admin_url(url: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/postgres".replace("postgres://", "postgresql://", 1)


@contextmanager
def real_database(tmp_dir: Path, *, template: str | None = None) -> Iterator[dict[str, str]]:
    """Yield the environment for subprocesses that use a new, migrated database.

    `template`: an already migrated database to copy instead of migrating (a SQLite file's
    path, or a PostgreSQL database's name, used as CREATE DATABASE … TEMPLATE): the
    benchmarks migrate once per run, not once per benchmark (issue 13, point 6). Without
    one: TEMPLATE_ENV's, else the test run's shared template, else a migration of its own."""
    template = template or os.environ.get(TEMPLATE_ENV) or None
    if template is None and os.environ.get(SHARED_DIR_ENV):
        template = shared_template(Path(os.environ[SHARED_DIR_ENV]))
    configured = os.environ.get("DATABASE_URL", "")
    name = f"waymark_proc_{uuid.uuid4().hex[:10]}"
    if configured.startswith(("postgres://", "postgresql://")):
        admin = _postgres_admin_url(configured)
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        url = f"{configured.rpartition('/')[0]}/{name}"
    else:
        admin = ""
        path = tmp_dir / (name + ".sqlite3")
        if template:
            shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    env = _process_env(dict(os.environ), url, tmp_dir)
    try:
        if not template:
            manage(env, "migrate", "--no-input", "-v0")
        yield _as_app_role(env) if admin else env
    finally:
        if admin:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _process_env(base: dict[str, str], url: str, tmp_dir: Path) -> dict[str, str]:
    return {
        **base,
        "DATABASE_URL": url,
        "WAYMARK_VAR_DIR": str(tmp_dir),
        "DJANGO_SETTINGS_MODULE": "waymark.settings",
        "SECRET_KEY": base.get("SECRET_KEY", "x" * 40),
        "PYTHONUNBUFFERED": "1",
    }


def shared_template(shared_dir: Path) -> str:
    """The migrated template of this run and database kind, built by the first process to
    ask (the others wait on a lock file in `shared_dir`); its name is kept in a file there.
    A PostgreSQL template is dropped by `drop_shared_templates` when the run ends."""
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    kind = "postgres" if postgres else "sqlite"
    note = shared_dir / f"migrated-template-{kind}.txt"
    with (shared_dir / "migrated-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if note.exists():
            return note.read_text()
        build = shared_dir / f"migrated-template-{kind}"
        build.mkdir(exist_ok=True)
        env = {**os.environ}
        env.pop(SHARED_DIR_ENV, None)
        env.pop(TEMPLATE_ENV, None)
        url = _migrated_database(build, env)
        if postgres:
            template = urlsplit(url).path.lstrip("/")
        else:
            template = url.removeprefix("sqlite:///")
            with sqlite3.connect(template) as conn:  # one file to copy, no WAL beside it
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        note.write_text(template)
        return template


def _migrated_database(tmp_dir: Path, env: dict[str, str]) -> str:
    """A new database migrated by its owner and kept (the run's template): its URL. A
    PostgreSQL one whose migration fails is dropped again."""
    configured = env.get("DATABASE_URL", "")
    name = f"waymark_template_{uuid.uuid4().hex[:10]}"
    if not configured.startswith(("postgres://", "postgresql://")):
        url = f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
        manage(_process_env(env, url, tmp_dir), "migrate", "--no-input", "-v0")
        return url
    admin = _postgres_admin_url(configured)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{configured.rpartition('/')[0]}/{name}"
    try:
        manage(_process_env(env, url, tmp_dir), "migrate", "--no-input", "-v0")
    except BaseException:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    return url


def drop_shared_templates(shared_dir: Path) -> None:
    """Drop the run's PostgreSQL template, if one was built (a SQLite one goes with its
    folder)."""
    note = shared_dir / "migrated-template-postgres.txt"
    configured = os.environ.get("DATABASE_URL", "")
    if not note.exists() or not configured.startswith(("postgres://", "postgresql://")):
        return
    with psycopg.connect(_postgres_admin_url(configured), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{note.read_text()}" WITH (FORCE)')
    note.unlink()


def _as_app_role(env: dict[str, str]) -> dict[str, str]:
    """Issue 12, point 4: with WAYMARK_TEST_APP_ROLE set (CI on PostgreSQL), the processes
    connect as that role, given the app's rights by the owner who migrated."""
    role = os.environ.get("WAYMARK_TEST_APP_ROLE", "")
    if not role:
        return env
    manage(env, "audit_db_role", role)
    parts = urlsplit(env["DATABASE_URL"])
    password = os.environ.get("WAYMARK_TEST_APP_PASSWORD", "")
    user = quote(role) + (f":{quote(password)}" if password else "")
    netloc = f"{user}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return {
        **env,
        "DATABASE_URL": urlunsplit(parts._replace(netloc=netloc)),
        OWNER_URL: env["DATABASE_URL"],
    }


def as_owner(env: dict[str, str]) -> dict[str, str]:
    """The environment of the role that owns the tables (restore, migrate), which is the
    same connection unless the processes run as an app role."""
    return {**env, "DATABASE_URL": env.get(OWNER_URL, env["DATABASE_URL"])}


def _run(env: dict[str, str], arguments: list[str], what: str, timeout: float) -> str:
    """Run this interpreter with `arguments` to completion; its output, or an error."""
    done = subprocess.run(  # noqa: S603 - our own interpreter, manage.py or a test's script
        [sys.executable, *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run a manage.py command to completion; its output, or an error with its stderr."""
    return _run(env, [str(ROOT / "manage.py"), *args], f"manage.py {' '.join(args)}", timeout)


def run_script(tmp_dir: Path, script: str, *, timeout: float = 120) -> str:
    """Run Python `script` with Django set up, in a process of its own over a new database
    (real_database): threads there hold real connections at once (the race tests). Its
    standard output, or an error with its stderr."""
    with real_database(tmp_dir) as env:
        return _run(env, ["-c", "import django; django.setup()\n" + script], "script", timeout)


def fill_from_template(connection: Any, template: str) -> None:
    """Make `connection`'s (empty, just created) test database a copy of the migrated
    `template`, so that the `migrate` Django runs next finds every migration applied and
    only checks (issue 13, point 7: each pytest-xdist worker migrated its own test
    database, ~28 s of CPU each, while the run's template was migrated anyway).

    SQLite: the test database is in memory (its connection keeps it alive), filled with
    SQLite's online backup. PostgreSQL: dropped and made again as CREATE DATABASE …
    TEMPLATE, by its owner."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(template)) as source:
            source.backup(connection.connection)
        return
    name = connection.settings_dict["NAME"]
    connection.close()
    params = connection.get_connection_params()
    params.pop("dbname", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
