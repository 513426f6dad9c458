"""System check: on PostgreSQL, warn when Waymark connects as the audit table's owner."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, connections

from waymark.audit.db_role import connects_as_owner


@checks.register(checks.Tags.database)
def check_audit_table_owner(databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Runs with `manage.py check --database default` (and before `migrate`, which the
    owner runs: there the warning is expected)."""
    warnings: list[checks.CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            as_owner = connects_as_owner(connection)
        except DatabaseError:  # no audit table yet, or no database: migrate will say
            continue
        if as_owner:
            warnings.append(
                checks.Warning(
                    "Waymark connects to PostgreSQL as the owner of the audit table (or a "
                    "superuser), so it could disable the triggers that keep the trail "
                    "append-only.",
                    hint="Run migrations as the owner, then connect the app as a role made "
                    "with `manage.py audit_db_role <role>` (see README, PostgreSQL).",
                    id="waymark.audit.W001",
                )
            )
    return warnings
