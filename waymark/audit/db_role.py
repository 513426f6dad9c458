"""PostgreSQL: run Waymark as a role that does not own the audit table (issue 12, point 4).

The audit table's triggers (migrations 0002, 0005) refuse UPDATE, DELETE and TRUNCATE,
but a table's owner may disable its triggers or drop the table. So on PostgreSQL two
roles are used: the OWNER runs `migrate` (and owns every table); the APP role, which
the web process, the worker and the scheduler connect as, may read and write the other
tables but only SELECT and INSERT on the audit table. `manage.py audit_db_role` grants
that (run it as the owner after every `migrate`); the system check `waymark.audit.W001`
warns when the app connects as the owner (or a superuser).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "audit_auditevent"


def grant_statements(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """The SQL that gives `role` what the app needs, and no more on the audit table."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    who, where = quote(role), quote(schema)
    return [
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        # The audit table: read and append, nothing else (the grant above included more).
        f"REVOKE ALL ON {quote(AUDIT_TABLE)} FROM {who}",
        f"GRANT SELECT, INSERT ON {quote(AUDIT_TABLE)} TO {who}",
    ]


def role_problem(connection: BaseDatabaseWrapper, role: str) -> str:
    """Why `role` cannot be the app's role ("" if it can): it must exist, and must be
    neither a superuser nor (a member of) the audit table's owner."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, pg_has_role(r.oid, c.relowner, 'MEMBER') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = %s AND c.oid = to_regclass(%s)",
            [role, AUDIT_TABLE],
        )
        row = cursor.fetchone()
    if row is None:
        return f"role {role!r} does not exist (or the audit table does not: run migrate first)"
    is_superuser, owns = row
    if is_superuser:
        return f"role {role!r} is a superuser: it could rewrite the audit table"
    if owns:
        return f"role {role!r} owns the audit table (or is a member of its owner)"
    return ""


def connects_as_owner(connection: BaseDatabaseWrapper) -> bool:
    """Whether this connection's user could disable the audit table's triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (user,) = cursor.fetchone()
    return role_problem(connection, user) != ""
