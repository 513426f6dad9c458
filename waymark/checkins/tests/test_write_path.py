"""The check-in write path (issue 13): few statements, no lock, the same answers.

The statement counts leave out transaction control (BEGIN, SAVEPOINT, COMMIT), which
differs between SQLite and PostgreSQL and inside a test's own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waymark import prepared
from waymark.accounts.services import issue_api_token
from waymark.checkins.models import CheckIn, SubmissionKey, SubmissionKind, SubstanceUse
from waymark.checkins.tests.conftest import Submit, api_body
from waymark.conftest import NEW_YORK, TODAY
from waymark.patients.models import Patient
from waymark.testing.real_database import run_script

pytestmark = pytest.mark.usefixtures("frozen")
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(CONTROL)
    ]


def post_with_token(secret: str, body: dict[str, Any]) -> tuple[int, list[str], Any]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().post(
            "/api/v1/checkins",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
    return response.status_code, statements(captured), response.json()


@pytest.fixture
def secret(alice: Patient) -> str:
    _, secret = issue_api_token(alice.user, "Phone")
    Client().post("/api/v1/noop", headers={"Authorization": f"Bearer {secret}"})  # stamps use
    return secret


def the_write(sql: list[str]) -> list[str]:
    """After the token: the day's row, the reassessment queued (its pending row is the
    queue: no task row) and the key — on PostgreSQL one statement (a data-modifying WITH),
    elsewhere three, in that order."""
    tables = ('"checkins_checkin"', '"risk_pendingreassessment"', '"checkins_submissionkey"')
    if connection.vendor == "postgresql":
        assert len(sql) == 2, "\n".join(sql)
        assert sql[1].startswith("WITH w ") and "ON CONFLICT" in sql[1]
        written = [sql[1].index(f"INSERT INTO {table}") for table in tables]
        assert written == sorted(written), sql[1]
    else:
        assert len(sql) == 4, "\n".join(sql)
        for line, table in zip(sql[1:], tables, strict=True):
            assert line.startswith(f"INSERT INTO {table}"), line
        assert "ON CONFLICT" in sql[1]
    return sql[1:]


def test_it_writes_a_calm_first_checkin_of_the_day_in_two_or_four_statements(
    secret: str,
) -> None:
    status, sql, body = post_with_token(secret, api_body())

    assert status == 201
    assert body["uses"] == []
    the_write(sql)
    assert CheckIn.objects.count() == SubmissionKey.objects.count() == 1
    assert SubmissionKey.objects.get().object_id == str(CheckIn.objects.get().pk)


def test_it_writes_an_edit_as_a_first_its_row_in_one(secret: str) -> None:
    post_with_token(secret, api_body(note="Slept badly."))

    status, sql, body = post_with_token(secret, api_body(craving=6))

    assert status == 200
    stored = CheckIn.objects.get()
    assert (body["craving"], stored.craving, stored.note, stored.revision) == (6, 6, "", 2)
    # the day's row inserted or else changed, in one; the reassessment found pending (the
    # first's, not started yet: no other queued); the key
    the_write(sql)
    uses_work = ('SELECT "checkins_substanceuse"', 'DELETE FROM "checkins_substanceuse"')
    assert not any(line.startswith(uses_work) for line in sql), "no uses: none read or removed"
    assert SubmissionKey.objects.count() == 2


def prepared_writes() -> int:
    """How often this connection has run the prepared check-in write; every statement it
    has prepared must be one of prepared.py's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE NOT from_sql"
        )
        rows = cursor.fetchall()
    own = set(prepared._sql.values())
    assert all(re.sub(r"\$\d+", "%s", sql) in own for sql, _ in rows), rows
    return sum(runs for sql, runs in rows if sql.startswith("WITH w "))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared: PostgreSQL's")
def test_it_has_postgresql_plan_the_write_once_per_connection_and_nothing_else(
    secret: str,
) -> None:
    before = prepared_writes()

    first = post_with_token(secret, api_body())
    edit = post_with_token(secret, api_body(craving=6))

    assert (first[0], edit[0]) == (201, 200)
    assert prepared_writes() == before + 2  # the token's read and the ORM's: not prepared
    assert CheckIn.objects.get().craving == 6
    assert first[1][1].startswith("WITH w ")  # the query log shows the prepared statement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared: PostgreSQL's")
def test_it_leaves_the_connections_health_check_unprepared(alice: Patient) -> None:
    key = SubmissionKey(
        organization_id=alice.organization_id,
        patient=alice,
        key=uuid.uuid4(),
        kind=SubmissionKind.CHECKIN,
        fingerprint="0" * 64,
        object_id="1",
        created_at=timezone.now(),
    )
    wrapper = connections[DEFAULT_DB_ALIAS]
    enabled = wrapper.health_check_enabled
    wrapper.health_check_enabled, wrapper.health_check_done = True, False  # a request's start
    try:
        prepared.insert(key)  # the connection's first statement: checked first (SELECT 1)
        assert wrapper.health_check_done
    finally:
        wrapper.health_check_enabled = enabled

    prepared_writes()  # every statement prepared is prepared.py's own: not SELECT 1


# The same check-in sent again and again, each in a transaction of its own (as a phone
# that never got its answer retries): each retry's write fails on the key and rolls back.
REPLAYS = """
import datetime as dt, uuid
from decimal import Decimal
from django.db import connection
from waymark.accounts.models import User
from waymark.checkins import services
from waymark.organizations.services import create_organization
from waymark.patients.services import enroll_patient

org = create_organization(name="Replay", slug="replay", timezone="UTC")
patient = enroll_patient(
    org, User.objects.create_user(username="replayer"), preferred_name="R",
    date_of_birth=dt.date(1990, 1, 1),
)
data = services.CheckInData(
    local_date=dt.datetime.now(dt.UTC).date(), craving=3, mood=4,
    sleep_hours=Decimal("7"), sleep_quality=4, stress=2, safety_concern=False,
)
key = uuid.uuid4()
replayed = [services.submit_checkin(patient, data, key=key).replayed for _ in range(6)]
services.submit_checkin(patient, data, key=uuid.uuid4())  # an edit: a new key
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH w %'")
    print(cursor.fetchone()[0], replayed)
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared: PostgreSQL's")
def test_it_leaves_no_copies_of_the_prepared_write_after_retries(tmp_path: Path) -> None:
    output = run_script(tmp_path, REPLAYS)
    assert output.split("\n")[0] == "1 [False, True, True, True, True, True]"


def test_it_reads_the_uses_of_an_edit_only_when_some_are_stored(secret: str) -> None:
    lapse = [{"substance": "alcohol", "amount": "wine"}]
    status, sql, body = post_with_token(secret, api_body(uses=lapse))
    assert status == 201
    assert [use["substance"] for use in body["uses"]] == ["alcohol"]

    status, sql, body = post_with_token(secret, api_body(uses=lapse, craving=5))

    assert status == 200
    assert [use["substance"] for use in body["uses"]] == ["alcohol"]
    assert SubstanceUse.objects.count() == 1
    assert any(line.startswith('SELECT "checkins_substanceuse"') for line in sql), "kept: read"

    status, sql, body = post_with_token(secret, api_body(craving=5))

    assert (status, body["uses"], SubstanceUse.objects.count()) == (200, [], 0)


def test_it_keeps_an_edit_of_an_edit_one_checkin_with_the_latest_answers(
    alice: Patient, submit: Submit
) -> None:
    submit(alice, craving=2, uses=[("alcohol", "wine")])
    submit(alice, craving=4, uses=[("alcohol", "beer")], triggers=["lonely"])

    third = submit(alice, craving=4, uses=[("alcohol", "beer")], note="Better evening.")

    stored = CheckIn.objects.get()
    assert not third.created and third.checkin.pk == stored.pk
    assert (stored.craving, stored.revision, stored.note) == (4, 3, "Better evening.")
    assert stored.triggers == []
    assert [(use.substance, use.amount) for use in stored.uses.all()] == [("alcohol", "beer")]
    assert SubmissionKey.objects.count() == 3


def test_it_replays_a_retry_after_its_day_has_closed(
    alice: Patient, submit: Submit, frozen: time_machine.Traveller
) -> None:
    key = uuid.uuid4()
    first = submit(alice, key=key, craving=4)
    frozen.move_to(dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(9), NEW_YORK))

    retry = submit(alice, key=key, craving=4)

    assert retry.replayed and retry.checkin.pk == first.checkin.pk
    assert CheckIn.objects.get().revision == 1


# Two threads submit the same key at once; each holds its transaction open a moment after
# its write (slow immediate rules), so the second's insert waits on the first's row.
RACE = """
import datetime as dt, threading, time, uuid
from decimal import Decimal
from django.db import connection
from waymark.accounts.models import User
from waymark.checkins import services
from waymark.checkins.models import CheckIn, SubmissionKey
from waymark.organizations.services import create_organization
from waymark.patients.services import enroll_patient

org = create_organization(name="Race", slug="race", timezone="UTC")
patient = enroll_patient(
    org, User.objects.create_user(username="racer"), preferred_name="R",
    date_of_birth=dt.date(1990, 1, 1),
)
connection.close()
rules = services.alert_for_checkin
services.alert_for_checkin = lambda *a, **k: (time.sleep(0.3), rules(*a, **k))[-1]
data = services.CheckInData(
    local_date=dt.datetime.now(dt.UTC).date(), craving=3, mood=4,
    sleep_hours=Decimal("7"), sleep_quality=4, stress=2, safety_concern=False,
)
key, start, results = uuid.uuid4(), threading.Barrier(2), []

def submit():
    start.wait()
    try:
        results.append(services.submit_checkin(patient, data, key=key))
    finally:
        connection.close()

threads = [threading.Thread(target=submit) for _ in range(2)]
for thread in threads: thread.start()
for thread in threads: thread.join()
outcomes = sorted((r.created, r.replayed, r.checkin.pk) for r in results)
print(outcomes[0][:2], outcomes[1][:2], outcomes[0][2] == outcomes[1][2])
print(CheckIn.objects.count(), SubmissionKey.objects.count(), CheckIn.objects.get().revision)
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="two connections writing at once: PostgreSQL (SQLite serializes its writers)",
)
def test_it_gives_two_racing_retries_of_one_key_one_checkin(tmp_path: Path) -> None:
    output = run_script(tmp_path, RACE)
    assert output.split("\n")[:2] == ["(False, True) (True, False) True", "1 1 1"]


# A check-in that raises an alert and a severe withdrawal entry of the same patient at once:
# each holds what it locked first while the other takes its own first lock. Both take the
# queued reassessment's row before the risk row (the alert's summary), so the second waits
# for the first; in the other order they would wait for each other (a deadlock). The
# entry's lock on the patient row (FOR NO KEY UPDATE) leaves the check-in's commit (its
# foreign-key checks) free; FOR UPDATE made that commit wait for the entry: a deadlock too.
LOCK_ORDER = """
import threading, uuid
from decimal import Decimal
from django.db import connection
from waymark.alerts.models import Alert
from waymark.checkins import services
from waymark.conftest import create_dana, create_northstar

dana = create_dana(create_northstar())
connection.close()
wrote, alerted = threading.Event(), threading.Event()
rules, alert_now = services.alert_for_checkin, services.alert_now

def after_write(*args, **kwargs):  # the check-in holds what its write locked
    wrote.set()
    alerted.wait(2)
    return rules(*args, **kwargs)

def after_alert(*args, **kwargs):  # the withdrawal entry holds what its alert locked
    found = alert_now(*args, **kwargs)
    alerted.set()
    return found

services.alert_for_checkin, services.alert_now = after_write, after_alert
errors = []

def run(work):
    try:
        work()
    except Exception as error:
        errors.append(type(error).__name__)
    finally:
        connection.close()

def check_in():
    data = services.CheckInData(
        local_date=dana.local_today(), craving=3, mood=2, sleep_hours=Decimal("5"),
        sleep_quality=2, stress=4, safety_concern=True,
    )
    services.submit_checkin(dana, data, key=uuid.uuid4())

def withdrawal():
    wrote.wait(5)
    ratings = {name: 0 for name in services.WITHDRAWAL_FIELDS} | {"tremor": 3}
    services.add_withdrawal_entry(dana, services.WithdrawalData(ratings=ratings), key=uuid.uuid4())

threads = [threading.Thread(target=run, args=(work,)) for work in (check_in, withdrawal)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(errors, Alert.objects.filter(patient=dana).count())
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="two connections writing at once: PostgreSQL (SQLite serializes its writers)",
)
def test_an_alerting_checkin_and_a_withdrawal_entry_at_once_both_get_through(
    tmp_path: Path,
) -> None:
    output = run_script(tmp_path, LOCK_ORDER)
    assert output.split("\n")[0] == "[] 2", "no deadlock; the safety alert and the log's"
