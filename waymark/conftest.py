"""Personas shared by every test.

Northstar Recovery (en-US) is the home organization:
  Alice — patient, in residential treatment, Bob on her care team
  Dana  — another patient (in detox), nobody's care team
  Bob   — clinician
  Olivia — organization admin
  Sam   — supporter (nothing shared with him yet)
Harbour House (en-GB) is another tenant:
  Carol — clinician
  Erin  — patient
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django_tasks_db.management.commands import db_worker

from waymark.access import Actor, must_use_second_factor
from waymark.accounts.models import User
from waymark.notifications import wakeup
from waymark.organizations.models import LevelOfCare, Locale, Organization, Program, Role
from waymark.organizations.services import (
    add_member,
    create_default_programs,
    create_organization,
    current_membership,
)
from waymark.patients.models import Patient, Substance
from waymark.patients.services import admit, assign_clinician, enroll_patient
from waymark.testing.real_database import SHARED_DIR_ENV, drop_shared_templates
from waymark.testing.second_factor import verify_session

if TYPE_CHECKING:
    from waymark.demo.registry import DemoContext

PASSWORD = "correct horse battery staple 42"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _shared_dir(config: pytest.Config) -> Path:
    """The run's temporary folder that its pytest-xdist workers share (each worker's own
    is a folder inside it)."""
    base: Path = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    return base.parent if hasattr(config, "workerinput") else base


@pytest.fixture(scope="session", autouse=True)
def shared_migrated_template(pytestconfig: pytest.Config) -> Iterator[None]:
    """Issue 13 point 7: tests that run Waymark in other processes copy one migrated
    database, built on first use, instead of migrating their own (real_database.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SHARED_DIR_ENV, str(_shared_dir(pytestconfig)))
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, pytestconfig: pytest.Config
) -> Iterator[None]:
    """Each test database starts as a copy of the run's migrated template (issue 13 point
    7): just before Django migrates a new test database, it is filled from the template,
    so that migrate finds nothing to apply. Migrating took ~28 s of CPU per pytest-xdist
    worker; the template is built once a run anyway (the tests that start processes copy
    it). A template that lacks a migration still gets it from that migrate."""
    from django.core import management
    from django.db import connections

    from waymark.testing.real_database import fill_from_template, shared_template

    migrate = management.call_command

    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        if name == "migrate" and "database" in options:
            template = shared_template(_shared_dir(pytestconfig))
            fill_from_template(connections[options["database"]], template)
        return migrate(name, *args, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(management, "call_command", call_command)
        yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or the only process) drops the run's PostgreSQL template."""
    if not hasattr(session.config, "workerinput") and hasattr(session.config, "_tmp_path_factory"):
        drop_shared_templates(_shared_dir(session.config))


@pytest.fixture(scope="class")
def class_transaction(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One transaction around a test class, rolled back after its last test (issue 13
    point 7), as Django's TestCase.setUpTestData: what a class-scoped fixture writes in it
    is built once and shared by the class's tests, and each test still runs in its own
    savepoint inside it (pytest-django's `db`), so no test sees what another wrote. For
    classes whose every test shares that data (outside a class pytest would keep it for
    the whole module); not for transactional tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher.

    accounts/tests checks that the real settings hash with Argon2.
    """
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Issue 12, point 6: throttle counters live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


TODAY = dt.date(2026, 11, 27)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")  # Northstar's, Alice's and Dana's time zone
# Mid-afternoon on the personas' TODAY, where Alice lives.
NOW = dt.datetime.combine(TODAY, dt.time(15, 0), tzinfo=NEW_YORK)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    """The one clock for tests: it stands still at NOW (3 pm on TODAY in New York).

    Move it with `frozen.move_to(...)` or `frozen.shift(...)`. A test folder whose every
    test needs it says so once, with an autouse fixture that asks for `frozen`.
    """
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_user(username: str, first_name: str = "") -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        first_name=first_name or username.capitalize(),
    )
    return user


def make_member(organization: Organization, username: str, role: Role) -> User:
    """A new user who is a member of `organization` with `role`."""
    user = make_user(username)
    add_member(organization, user, role)
    return user


def actor(user: User) -> Actor:
    """The actor a service sees for `user`, in their current membership."""
    return Actor(user=user, membership=current_membership(user), request_id="test")


def persona_user(request: pytest.FixtureRequest, persona: str) -> User:
    """The user behind a persona fixture named `persona` (a patient's own user)."""
    found = request.getfixturevalue(persona)
    return found.user if isinstance(found, Patient) else found


def program(organization: Organization, level: LevelOfCare) -> Program:
    return Program.objects.get(organization=organization, level=level)


def create_northstar() -> Organization:
    organization = create_organization(
        name="Northstar Recovery",
        slug="northstar",
        locale=Locale.EN_US,
        timezone="America/New_York",
    )
    create_default_programs(organization)
    return organization


def create_harbour() -> Organization:
    organization = create_organization(
        name="Harbour House", slug="harbour", locale=Locale.EN_GB, timezone="Europe/London"
    )
    create_default_programs(organization)
    return organization


@pytest.fixture
def northstar(db: None) -> Organization:
    return create_northstar()


@pytest.fixture
def harbour(db: None) -> Organization:
    return create_harbour()


# Each persona asks for its organization's fixture by name, not through
# request.getfixturevalue: a lazily requested database, after a browser test has started
# Playwright's event loop on the worker, is refused as async-unsafe (seen in a full run).
@pytest.fixture
def bob(northstar: Organization) -> User:
    return make_member(northstar, "bob", Role.CLINICIAN)


@pytest.fixture
def olivia(northstar: Organization) -> User:
    return make_member(northstar, "olivia", Role.ADMIN)


@pytest.fixture
def sam(northstar: Organization) -> User:
    return make_member(northstar, "sam", Role.SUPPORTER)


@pytest.fixture
def carol(harbour: Organization) -> User:
    return make_member(harbour, "carol", Role.CLINICIAN)


def _patient(
    organization: Organization, username: str, level: LevelOfCare, days_ago: int
) -> Patient:
    user = make_user(username)
    patient = enroll_patient(
        organization,
        user,
        preferred_name=username.capitalize(),
        date_of_birth=dt.date(1994, 5, 17),
        substances=[Substance.KETAMINE, Substance.ALCOHOL],
        recovery_start_date=TODAY - dt.timedelta(days=days_ago),
    )
    admit(patient, program(organization, level), on=TODAY - dt.timedelta(days=days_ago))
    return patient


def create_alice(northstar: Organization, bob: User) -> Patient:
    patient = _patient(northstar, "alice", LevelOfCare.RESIDENTIAL, 20)
    assign_clinician(patient, bob, primary=True)
    return patient


def create_dana(northstar: Organization) -> Patient:
    return _patient(northstar, "dana", LevelOfCare.DETOX, 3)


@pytest.fixture
def alice(northstar: Organization, bob: User) -> Patient:
    return create_alice(northstar, bob)


@pytest.fixture
def dana(northstar: Organization) -> Patient:
    return create_dana(northstar)


@pytest.fixture
def erin(harbour: Organization) -> Patient:
    return _patient(harbour, "erin", LevelOfCare.OUTPATIENT, 40)


@pytest.fixture
def care_team_ctx(northstar: Organization, alice: Patient, dana: Patient, bob: User) -> DemoContext:
    """The personas as a demo for one app's demo step: Northstar, Bob, Alice and Dana, with
    Bob made Dana's primary clinician (waymark/demo/tests/small.py)."""
    from waymark.demo.tests.small import care_team_demo

    return care_team_demo(northstar, bob, alice, dana)


@pytest.fixture
def small_demo_ctx(frozen: time_machine.Traveller, db: None) -> DemoContext:
    """A small demo (waymark/demo/tests/small.py) on the frozen clock, for one app's step."""
    from waymark.demo.tests.small import small_demo

    return small_demo()


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A test client signed in as `user` (anonymous for None); staff have passed the
    second factor already (issue 12: an enrolled authenticator, a verified session)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            if must_use_second_factor(Actor(user, current_membership(user))):
                verify_session(client, user)
        return client

    return make


@pytest.fixture
def client_as(
    request: pytest.FixtureRequest, client_for: Callable[[User | None], Client]
) -> Callable[[str], Client]:
    """A test client signed in as the persona fixture named `persona` ("alice", "bob"…),
    for tests parametrized over personas."""
    return lambda persona: client_for(persona_user(request, persona))


@pytest.fixture
def run_tasks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run every ready task and queued reassessment with the worker's real loop
    (notifications/wakeup.py, django-tasks-db's claim and run), in this process.

    The loop closes "old" connections between tasks; inside a test's transaction that
    would close the test's own connection (PostgreSQL), so that one call is skipped.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(wakeup, "close_old_connections", lambda: None)

    def run() -> None:
        wakeup.WakingWorker(
            wakeup=None,
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


# --- Issue 12, point 4: on PostgreSQL, CI runs the suite as the app role ------------------
# With WAYMARK_TEST_APP_ROLE set, the owner (DATABASE_URL's user) makes and migrates the
# test database as usual; then the role gets the app's rights (audit_db_role) and every
# test connects as it, so the suite runs the way production should: not owning the audit
# table. The owner takes the connection back to drop the database at the end.


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    import io
    import os

    from django.core.management import call_command
    from django.db import connection

    role = os.environ.get("WAYMARK_TEST_APP_ROLE", "")
    if not role or connection.vendor != "postgresql":
        yield
        return
    owner = (connection.settings_dict["USER"], connection.settings_dict["PASSWORD"])
    with django_db_blocker.unblock():
        call_command("audit_db_role", role, stdout=io.StringIO())
        connection.close()
        connection.settings_dict["USER"] = role
        connection.settings_dict["PASSWORD"] = os.environ.get("WAYMARK_TEST_APP_PASSWORD", "")
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = owner
