"""Database triggers that make rows append-only or immutable, for migrations.

Waymark runs on SQLite and PostgreSQL; each trigger migration gives its SQL for both,
and `run_sql_per_vendor` picks the right list (refusing any other database).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import migrations


def _runner(statements_by_vendor: Mapping[str, Sequence[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"Waymark's triggers support SQLite and PostgreSQL, not {vendor}.")
        for statement in statements_by_vendor[vendor]:
            # No parameters: the SQL's own % signs (PostgreSQL's RAISE) stay as they are.
            schema_editor.execute(statement, params=None)

    return run


def run_sql_per_vendor(
    up: Mapping[str, Sequence[str]], down: Mapping[str, Sequence[str]]
) -> migrations.RunPython:
    """A reversible migration operation running `up` (or `down`) for the current database."""
    return migrations.RunPython(_runner(up), _runner(down))
