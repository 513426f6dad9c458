"""Give a PostgreSQL role what the app needs, and only SELECT/INSERT on the audit table.

Run as the database owner after every `migrate` (it is idempotent):

    DATABASE_URL=postgres://waymark_owner@host/waymark manage.py audit_db_role waymark_app
    DATABASE_URL=postgres://waymark_app:…@host/waymark   # what the app then connects with

`--create` makes the role first (LOGIN, no other rights; set its password with psql's
`\\password`); `--print` only prints the SQL.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from waymark.audit.db_role import grant_statements, role_problem


class Command(BaseCommand):
    help = "Grant a PostgreSQL role the app's rights: SELECT/INSERT only on the audit table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the app connects as")
        parser.add_argument("--create", action="store_true", help="create the role first")
        parser.add_argument("--print", action="store_true", help="print the SQL, run nothing")

    def handle(self, *args: Any, role: str, create: bool, print: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Roles are for PostgreSQL; SQLite has no users.")
        statements = grant_statements(connection, role)
        if create:
            statements.insert(
                0,
                f"CREATE ROLE {connection.ops.quote_name(role)} "
                "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
            )
        if print:
            self.stdout.write(";\n".join(statements) + ";")
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                problem = role_problem(connection, role)
                if problem:
                    raise CommandError(f"Not granted: {problem}.")
        except DatabaseError as error:
            raise CommandError(f"Not granted: {error}".strip()) from error
        self.stdout.write(f"{role} may now run Waymark: SELECT and INSERT only on the audit table.")
