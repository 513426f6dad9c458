"""waymark/testing/real_database.py: a run migrates one database once, and every test that
runs Waymark in other processes gets a copy of its own (issue 13, point 7)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
from django.db import connection

from waymark.testing.real_database import SHARED_DIR_ENV, manage, real_database, shared_template

USERS = "from waymark.accounts.models import User; "
COUNT = USERS + "print(User.objects.filter(username='{0}').count())"
CREATE = USERS + "User.objects.create_user(username='{0}')"


def test_it_migrates_once_a_run_and_gives_each_caller_its_own_copy(tmp_path: Path) -> None:
    shared = Path(os.environ[SHARED_DIR_ENV])  # set for the whole run (waymark/conftest.py)
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    with (
        real_database(tmp_path / "first") as first,
        real_database(tmp_path / "second") as second,
    ):
        template = shared_template(shared)
        assert first["DATABASE_URL"] != second["DATABASE_URL"]
        manage(first, "shell", "-v0", "-c", CREATE.format("only-in-first"))
        assert manage(first, "shell", "-v0", "-c", COUNT.format("only-in-first")).split() == ["1"]
        # A copy, not the same database: the other copy does not have it.
        assert manage(second, "shell", "-v0", "-c", COUNT.format("only-in-first")).split() == ["0"]
    # Asked again, the run's template is the same one: nothing was migrated a second time.
    assert shared_template(shared) == template
    with real_database(tmp_path / "first") as third:
        assert manage(third, "shell", "-v0", "-c", COUNT.format("only-in-first")).split() == ["0"]


def test_it_starts_each_test_database_as_a_copy_of_the_runs_template(db: None) -> None:
    """The test database was filled from the template, not migrated again: the
    migrations' `applied` times are the template's own (a second migration would stamp
    its own times)."""
    template = shared_template(Path(os.environ[SHARED_DIR_ENV]))
    query = "SELECT app, name, applied FROM django_migrations ORDER BY app, name"
    with connection.cursor() as cursor:
        cursor.execute(query)
        here = [(app, name, str(applied)[:19]) for app, name, applied in cursor.fetchall()]
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(template)) as source:
            there = source.execute(query).fetchall()
    else:  # read as the owner (DATABASE_URL's user): the app role has no rights there
        owner = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(f"{owner.rpartition('/')[0]}/{template}") as source:
            there = source.execute(query).fetchall()
    assert len(here) > 100  # every migration
    assert here == [(app, name, str(applied)[:19]) for app, name, applied in there]
