"""`manage.py restore FILE`: put a backup made by `manage.py backup` back in place.

Stop the web server, the worker and the scheduler first. A copy of the database as it is
now is taken before anything is replaced, so a restore of the wrong file can be undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from waymark.operations.backup import (
    BackupError,
    backup_postgresql,
    backup_sqlite,
    default_name,
    engine,
    restore_postgresql,
    restore_sqlite,
)


class Command(BaseCommand):
    help = (
        "Replace the database with a backup from `manage.py backup` (stop the web server, "
        "worker and scheduler first). The current database is backed up before."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="The file `manage.py backup` wrote.")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Do not ask for confirmation.",
        )  # fmt: skip

    def handle(self, *args: Any, backup: Path, interactive: bool, **options: Any) -> None:
        database = connections["default"].settings_dict
        kind = engine(database)
        if not backup.is_file():
            raise CommandError(f"{backup} does not exist.")
        if interactive:
            answer = input(
                f"This replaces every row of the database {database['NAME']} with {backup}.\n"
                "Are the web server, worker and scheduler stopped? Type 'yes' to restore: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        connections.close_all()
        name = default_name(database, timezone.now())
        before = settings.VAR_DIR / "backups" / f"before-restore-{name}"
        try:
            if kind == "sqlite":
                backup_sqlite(Path(database["NAME"]), before)
                restore_sqlite(backup, Path(database["NAME"]))
            else:
                backup_postgresql(database, before)
                restore_postgresql(database, backup)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {backup}. The database as it was before is kept in {before}.\n"
            "Run `manage.py migrate` if the backup came from an older Waymark."
        )
