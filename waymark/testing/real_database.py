"""A real, migrated database for tests that run Waymark in other processes.

pytest-django's test database is private to the test process (in memory for SQLite)
and is flushed between transactional tests, which the audit table's triggers refuse.
Tests that start a worker or a web server use one of these instead: a SQLite file, or
a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL; dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
# Where _as_app_role keeps the owner's connection for the commands only the owner may run.
OWNER_URL = "WAYMARK_TEST_OWNER_DATABASE_URL"


def _postgres_admin_url(url: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/postgres".replace("postgres://", "postgresql://", 1)


@contextmanager
def real_database(tmp_dir: Path, *, template: str | None = None) -> Iterator[dict[str, str]]:
    """Yield the environment for subprocesses that use a new, migrated database.

    `template`: an already migrated database to copy instead of migrating (a SQLite file's
    path, or a PostgreSQL database's name, used as CREATE DATABASE … TEMPLATE): the
    benchmarks migrate once per run, not once per benchmark (issue 13, point 6)."""
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
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WAYMARK_VAR_DIR": str(tmp_dir),
        "DJANGO_SETTINGS_MODULE": "waymark.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "x" * 40),
        "PYTHONUNBUFFERED": "1",
    }
    try:
        if not template:
            manage(env, "migrate", "--no-input", "-v0")
        yield _as_app_role(env) if admin else env
    finally:
        if admin:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run a manage.py command to completion; its output, or an error with its stderr."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout
