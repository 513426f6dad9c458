"""Every table's rows, for the restore round-trip test (run in a `manage.py shell`)."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def print_tables() -> None:
    """Print {table: [rows, sorted]} as JSON: every table Django can see, system ones too."""
    quote = connection.ops.quote_name
    dump = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # introspected names
            rows = [[_plain(value) for value in row] for row in cursor.fetchall()]
            dump[table] = sorted(rows, key=lambda row: json.dumps(row, default=str))
    print(json.dumps(dump))
