"""waymark/testing/real_database.py: a run migrates one database once, and every test that
runs Waymark in other processes gets a copy of its own (issue 13, point 7)."""

from __future__ import annotations

import os
from pathlib import Path

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
