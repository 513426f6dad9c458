"""The audit table cannot be rewritten, on SQLite or PostgreSQL (issue 12, point 4).

UPDATE, DELETE and TRUNCATE are in test_audit_trail.py; here: writing over a row by
inserting (REPLACE, INSERT OR REPLACE, upserts), and on PostgreSQL the role the app
connects as (audit_db_role, the W001 check).
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.audit.checks import check_audit_table_owner
from waymark.audit.db_role import connects_as_owner
from waymark.audit.models import AuditAction, AuditEvent
from waymark.audit.services import record
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient

SQLITE_ONLY = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's REPLACE")
POSTGRES_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
AS_APP_ROLE = bool(os.environ.get("WAYMARK_TEST_APP_ROLE"))


@pytest.fixture
def entry(alice: Patient, bob: User) -> AuditEvent:
    actor = Actor(user=bob, membership=current_membership(bob), request_id="original")
    event = record(actor, AuditAction.VIEW, patient=alice, object_type="patient")
    assert event is not None
    return event


def same_row_sql(event: AuditEvent, verb: str, tail: str = "") -> tuple[str, list[Any]]:
    """`verb` (INSERT, REPLACE…) of the entry's own row with its own id, but altered."""
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    values = [getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields]
    values[columns.index("actor_role")] = "forged"
    values = [connection.ops.adapt_datetimefield_value(v) if k == "at" else v
              for k, v in zip(columns, values, strict=True)]  # fmt: skip
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"{verb} audit_auditevent ({', '.join(columns)}) VALUES ({placeholders}) {tail}"
    return sql, [str(v) if k == "patient_id" and connection.vendor == "sqlite" else v
                 for k, v in zip(columns, values, strict=True)]  # fmt: skip


def assert_refused(sql: str, params: list[Any]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def unchanged(event: AuditEvent) -> bool:
    (row,) = AuditEvent.objects.all()
    return (row.pk, row.actor_role, row.request_id) == (event.pk, "clinician", "original")


@SQLITE_ONLY
@pytest.mark.parametrize(
    "verb", ["REPLACE INTO", "INSERT OR REPLACE INTO", "INSERT OR IGNORE INTO"]
)
def test_it_refuses_writing_over_an_entry_on_sqlite(verb: str, entry: AuditEvent) -> None:
    assert_refused(*same_row_sql(entry, verb))
    assert unchanged(entry)


@pytest.mark.parametrize(
    "tail",
    [
        "ON CONFLICT (id) DO UPDATE SET actor_role = 'forged'",
        "ON CONFLICT (id) DO UPDATE SET actor_role = excluded.actor_role",
    ],
)
def test_it_refuses_an_upsert_over_an_entry(tail: str, entry: AuditEvent) -> None:
    assert_refused(*same_row_sql(entry, "INSERT INTO", tail))
    assert unchanged(entry)


def test_it_still_appends_new_entries(entry: AuditEvent, alice: Patient, bob: User) -> None:
    actor = Actor(user=bob, membership=current_membership(bob))
    record(actor, AuditAction.VIEW, patient=alice, object_type="checkins")
    assert AuditEvent.objects.count() == 2


@SQLITE_ONLY
def test_it_keeps_every_trigger_after_the_migrations(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["audit_auditevent"],
        )
        names = {name for (name,) in cursor.fetchall()}
    assert names == {"audit_no_update", "audit_no_delete", "audit_no_replace"}


@POSTGRES_ONLY
@pytest.mark.skipif(not AS_APP_ROLE, reason="the suite connects as the owner (not CI's app role)")
def test_the_app_role_cannot_disable_the_triggers_or_drop_the_table(entry: AuditEvent) -> None:
    for statement in [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_no_update_delete ON audit_auditevent",
        "DROP TABLE audit_auditevent CASCADE",
    ]:
        assert_refused(statement, [])
    assert not connects_as_owner(connection)
    assert check_audit_table_owner(databases=["default"]) == []
    assert unchanged(entry)


@POSTGRES_ONLY
@pytest.mark.skipif(AS_APP_ROLE, reason="needs the owner's connection")
def test_it_warns_when_the_app_connects_as_the_owner(db: None) -> None:
    assert [w.id for w in check_audit_table_owner(databases=["default"])] == ["waymark.audit.W001"]


@POSTGRES_ONLY
@pytest.mark.skipif(AS_APP_ROLE, reason="needs the owner's connection to make a role")
def test_it_gives_a_new_role_only_select_and_insert_on_the_audit_table(db: None) -> None:
    # CREATE ROLE is transactional: the test's transaction takes the role away again.
    role = f"waymark_test_app_{os.getpid()}"
    out = io.StringIO()
    call_command("audit_db_role", role, "--create", stdout=out)
    assert "SELECT and INSERT only" in out.getvalue()

    def granted(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = %s AND table_name = %s",
                [role, table],
            )
            return {privilege for (privilege,) in cursor.fetchall()}

    assert granted("audit_auditevent") == {"SELECT", "INSERT"}
    assert granted("patients_patient") == {"SELECT", "INSERT", "UPDATE", "DELETE"}


@POSTGRES_ONLY
@pytest.mark.skipif(AS_APP_ROLE, reason="needs the owner's connection")
def test_it_refuses_to_grant_to_the_owner_or_a_missing_role(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match=r"superuser|owns"):
        call_command("audit_db_role", owner, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("audit_db_role", "waymark_no_such_role", stdout=io.StringIO())


def test_it_refuses_to_run_the_role_command_on_sqlite(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="SQLite has no users"):
        call_command("audit_db_role", "anyone")
