"""Browser tests: Playwright drives Debian's Chromium (headless, phone-sized) against a real
server process with its own database.

Not pytest-django's live_server: the audit table's triggers refuse DELETE (and TRUNCATE on
PostgreSQL), so a flushed test database is impossible. Instead this session:
- makes a fresh, migrated database with waymark.testing.real_database (a temporary SQLite
  file, or on PostgreSQL when DATABASE_URL is set a new database, dropped at the end);
- runs world.py (the people to sign in as);
- starts `manage.py runserver --noreload` on a free port with WAYMARK_DEMO=1 and DEBUG=1,
  and a task worker beside it, waits for /healthz, and stops both (by their own pids).

Chromium must be at /usr/bin/chromium (CI installs it); without it these tests fail with a
message rather than being skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

from waymark.testing.real_database import real_database
from waymark.tests.browser import world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the server's database directly (placeholders: %s)."""
        if self.database_url.startswith("sqlite"):
            path = dj_database_url.parse(self.database_url)["NAME"]
            with sqlite3.connect(path) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def checkins_of(self, username: str) -> list[tuple[Any, ...]]:
        """(local_date, craving) of each of the patient's check-ins, oldest first."""
        return self.query(
            "SELECT c.local_date, c.craving FROM checkins_checkin c "
            "JOIN patients_patient p ON p.id = c.patient_id "
            "JOIN accounts_user u ON u.id = p.user_id WHERE u.username = %s ORDER BY c.local_date",
            username,
        )

    def run(self, var_dir: Path, script: str, *args: str) -> str:
        """Run a Python script, with `args`, on this server's database; what it prints."""
        env = {
            **os.environ, "DATABASE_URL": self.database_url, "WAYMARK_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "waymark.settings", "WAYMARK_DEMO": "1", "DEBUG": "1",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "x" * 40),
        }  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", script, *args], cwd=ROOT, env=env, check=True,
            capture_output=True,
        )  # fmt: skip
        return done.stdout.decode().strip()

    def add_patient(
        self, var_dir: Path, username: str, name: str, *, born: dt.date, level: str,
        clinician: str = "",
    ) -> None:  # fmt: skip
        """world.add_patient() in this server's database."""
        self.run(
            var_dir,
            "import datetime as dt, django\n"
            "django.setup()\n"
            "from waymark.tests.browser import world\n"
            f"world.add_patient({username!r}, {name!r}, born=dt.date.fromisoformat("
            f"{born.isoformat()!r}), level={str(level)!r}, clinician={clinician!r})\n",
        )


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ask pytest-xdist (`--dist loadgroup`) to run every browser test on one worker.

    They share this session's server, database and Chromium. pytest-xdist 3.8 ignores the
    group under pytest 9.2 (pytest-xdist issue 1386), so the tests may still be split:
    that is safe, each worker then starts its own server (free port, its own temporary
    directory and database), only slower. pytest calls this hook with every item.
    """
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The test server stopped (exit code {process.returncode}).")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"The test server did not answer /healthz within {STARTUP_SECONDS} s.")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("browser-var")
    with real_database(var_dir) as database_env:
        yield from _serve({**database_env, "WAYMARK_DEMO": "1", "DEBUG": "1"}, var_dir)


def _serve(env: dict[str, str], var_dir: Path) -> Iterator[Server]:
    database_url = env["DATABASE_URL"]
    python = sys.executable
    subprocess.run([python, "-m", "waymark.tests.browser.world"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    log = (var_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    # A real task worker beside it: risk reassessment and deliveries run as they do in use.
    worker = subprocess.Popen(
        [python, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield Server(url=url, database_url=database_url)
    finally:
        for child in (process, worker):
            child.terminate()
        for child in (process, worker):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def phone_context(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh phone-sized browser context (its own cookies, storage and service worker)."""
    context = browser.new_context(
        viewport=PHONE, base_url=server.url, is_mobile=True, has_touch=True,
        timezone_id=world.TIMEZONE,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    # issue 12 point 7: a page that breaks the Content-Security-Policy fails its test.
    violations: list[str] = []
    context.on("console", lambda message: _note_csp_violation(violations, message.text))
    try:
        yield context
    finally:
        context.close()
    assert violations == [], "Content-Security-Policy violations in the console"


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[Any]:
    """The person's phone."""
    with phone_context(browser, server) as context:
        yield context


@pytest.fixture
def second_phone(browser: Any, server: Server) -> Iterator[Any]:
    """Another person's phone (a supporter's), with cookies apart from the first."""
    with phone_context(browser, server) as context:
        yield context


def _note_csp_violation(violations: list[str], text: str) -> None:
    if "Content Security Policy" in text:
        violations.append(text)
