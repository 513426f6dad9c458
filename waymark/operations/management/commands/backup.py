"""`manage.py backup`: a consistent copy of the database while Waymark keeps running."""

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
)


class Command(BaseCommand):
    help = (
        "Back up the database while Waymark runs: SQLite's online backup, or pg_dump on "
        "PostgreSQL. The file is readable by its owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="The backup file (default: WAYMARK_VAR_DIR/backups/waymark-<UTC time>.*).",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        database = connections["default"].settings_dict
        target = output or settings.VAR_DIR / "backups" / default_name(database, timezone.now())
        try:
            if engine(database) == "sqlite":
                backup_sqlite(Path(database["NAME"]), target)
            else:
                backup_postgresql(database, target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = target.stat().st_size
        self.stdout.write(f"Backed up to {target} ({size / 1_000_000:.1f} MB).")
