"""Settings fail safe: a bad or missing variable stops start-up and names itself.

The env readers are tested directly; start-up is tested in a fresh Python with a
clean environment, because settings are read once per process.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from waymark.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


# --- The readers ---------------------------------------------------------------


def test_it_reads_yes_and_no_in_any_case() -> None:
    assert env_bool("DEBUG", environ={"DEBUG": " Yes "}) is True
    assert env_bool("DEBUG", True, environ={"DEBUG": "off"}) is False


def test_it_uses_the_default_for_a_missing_or_empty_bool() -> None:
    # An empty value must not switch a safe default (secure cookies) off.
    assert env_bool("SECURE_COOKIES", True, environ={}) is True
    assert env_bool("SECURE_COOKIES", True, environ={"SECURE_COOKIES": "  "}) is True


def test_it_refuses_a_bool_that_is_not_yes_or_no_and_names_it() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG='maybe' is not a yes/no value"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_it_reads_an_int_within_bounds() -> None:
    environ = {"EMAIL_PORT": " 587 "}
    assert env_int("EMAIL_PORT", 25, minimum=1, maximum=65535, environ=environ) == 587
    assert env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": ""}) == 25


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", r"^EMAIL_PORT='ten' is not a whole number"),
        ("2.5", r"^EMAIL_PORT='2.5' is not a whole number"),
        ("0", r"^EMAIL_PORT=0 is below the minimum of 1"),
        ("70000", r"^EMAIL_PORT=70000 is above the maximum of 65535"),
    ],
)
def test_it_refuses_a_bad_int_and_names_it(raw: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env_int("EMAIL_PORT", 25, minimum=1, maximum=65535, environ={"EMAIL_PORT": raw})


def test_it_reads_a_comma_separated_list() -> None:
    environ = {"ALLOWED_HOSTS": " a.example , ,b.example "}
    assert env_list("ALLOWED_HOSTS", ["x"], environ=environ) == ["a.example", "b.example"]
    assert env_list("ALLOWED_HOSTS", ["x"], environ={}) == ["x"]


def test_it_reads_the_fhir_base_url_without_its_trailing_slash() -> None:
    environ = {"FHIR_BASE_URL": " https://care.example.org/fhir/ "}
    assert env_url("FHIR_BASE_URL", "http://x", environ=environ) == "https://care.example.org/fhir"
    assert env_url("FHIR_BASE_URL", "http://127.0.0.1:8000/fhir", environ={}) == (
        "http://127.0.0.1:8000/fhir"
    )


@pytest.mark.parametrize(
    "raw", ["care.example.org/fhir", "ftp://care.example.org", "https://a/?b=1"]
)
def test_it_refuses_a_fhir_base_url_that_is_not_an_address_and_names_it(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^FHIR_BASE_URL="):
        env_url("FHIR_BASE_URL", "http://x", environ={"FHIR_BASE_URL": raw})


def test_it_reads_a_time_zone() -> None:
    assert env_timezone("TIME_ZONE", "UTC", environ={"TIME_ZONE": "Europe/London"}) == (
        "Europe/London"
    )
    assert env_timezone("TIME_ZONE", "UTC", environ={"TIME_ZONE": ""}) == "UTC"


@pytest.mark.parametrize("raw", ["Mars/Base", "/etc/passwd", "../../etc/passwd", "America"])
def test_it_refuses_an_unknown_time_zone_and_names_it(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^TIME_ZONE=.* is not a known time zone"):
        env_timezone("TIME_ZONE", "UTC", environ={"TIME_ZONE": raw})


def test_it_refuses_a_choice_outside_the_list_and_names_it() -> None:
    levels = ["DEBUG", "INFO", "WARNING"]
    assert env_choice("LOG_LEVEL", "INFO", levels, environ={"LOG_LEVEL": "warning"}) == "WARNING"
    with pytest.raises(ImproperlyConfigured, match=r"^LOG_LEVEL='LOUD' is not allowed"):
        env_choice("LOG_LEVEL", "INFO", levels, environ={"LOG_LEVEL": "LOUD"})


def test_it_reads_sqlite_and_postgres_urls() -> None:
    sqlite = env_database("DATABASE_URL", "sqlite:////tmp/waymark-test.sqlite3", environ={})
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/tmp/waymark-test.sqlite3"
    postgres = env_database(
        "DATABASE_URL", "", environ={"DATABASE_URL": "postgres://app:pw@db.internal:5433/waymark"}
    )
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == (
        "db.internal",
        5433,
        "waymark",
    )


def test_it_keeps_connections_between_requests_and_health_checks_only_postgres() -> None:
    sqlite = env_database("DATABASE_URL", "sqlite:////tmp/waymark-test.sqlite3", environ={})
    postgres = env_database("DATABASE_URL", "postgres://app@db/waymark", environ={})
    assert (sqlite["CONN_MAX_AGE"], sqlite["CONN_HEALTH_CHECKS"]) == (600, False)
    assert (postgres["CONN_MAX_AGE"], postgres["CONN_HEALTH_CHECKS"]) == (600, True)
    environ = {
        "DATABASE_URL": "postgres://app@db/waymark",
        "DATABASE_CONN_MAX_AGE": "0",
        "DATABASE_CONN_HEALTH_CHECKS": "no",
    }
    per_request = env_database("DATABASE_URL", "", environ=environ)
    assert (per_request["CONN_MAX_AGE"], per_request["CONN_HEALTH_CHECKS"]) == (0, False)
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_CONN_MAX_AGE=-1 is below"):
        env_database("DATABASE_URL", "", environ={**environ, "DATABASE_CONN_MAX_AGE": "-1"})


def test_it_refuses_an_unsupported_database_scheme_and_names_it() -> None:
    environ = {"DATABASE_URL": "mysql://app:hunter2hunter2@db/waymark"}
    with pytest.raises(ImproperlyConfigured) as caught:
        env_database("DATABASE_URL", "", environ=environ)
    message = str(caught.value)
    assert message.startswith("DATABASE_URL must start with sqlite:// or postgres://")
    assert "'mysql'" in message
    assert "hunter2hunter2" not in message


@pytest.mark.parametrize(
    "raw",
    [
        "hunter2hunter2",  # no scheme at all: perhaps a password pasted in the wrong place
        "postgres://app:hunter2hunter2@db:notaport/waymark",
    ],
)
def test_it_names_an_unreadable_database_url_without_echoing_it(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": raw})
    assert str(caught.value).startswith("DATABASE_URL ")
    assert "hunter2hunter2" not in str(caught.value)


# --- Starting Django in a clean environment ---------------------------------------


def start(
    var_dir: Path, code: str = "", *, manage: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    """Start a fresh Python with only `env` (plus PATH and the var dir) set."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "waymark.settings",
        "WAYMARK_VAR_DIR": str(var_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    command = (
        [sys.executable, "manage.py", *manage]
        if manage
        else [sys.executable, "-c", "import django; django.setup()\n" + code]
    )
    return subprocess.run(
        command, cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_it_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = start(tmp_path)
    assert result.returncode != 0
    assert last_line(result) == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set. Set it to a long "
        "random value (or set WAYMARK_DEMO=1 for a local demo)."
    )
    assert not (tmp_path / "secret_key").exists()


def test_it_refuses_manage_py_check_without_a_secret_key(tmp_path: Path) -> None:
    result = start(tmp_path, manage=("check",))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in last_line(result)


def test_it_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = start(tmp_path, SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too short" in last_line(result)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a yes/no value"),
        ({"TIME_ZONE": "Mars/Base"}, "TIME_ZONE='Mars/Base' is not a known time zone"),
        ({"DATABASE_URL": "mysql://db/waymark"}, "DATABASE_URL must start with sqlite://"),
        ({"SESSION_COOKIE_AGE": "a week"}, "SESSION_COOKIE_AGE='a week' is not a whole number"),
        ({"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS=-1 is below the minimum of 0"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' is not allowed"),
        (
            {"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"},
            "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on",
        ),
    ],
)
def test_it_refuses_to_start_on_a_bad_variable_and_names_it(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = start(tmp_path, SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode != 0
    assert last_line(result).startswith(f"django.core.exceptions.ImproperlyConfigured: {expected}")


def test_it_keeps_debug_off_and_cookies_secure_unless_set(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s\n"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )
    result = start(tmp_path, code, SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "[]"]


def test_it_runs_a_demo_without_a_secret_key_and_keeps_the_key(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    code = "from django.conf import settings as s\nprint(s.DEBUG, s.SECRET_KEY)"
    first = start(var_dir, code, WAYMARK_DEMO="1")
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    key_file = var_dir / "secret_key"
    assert debug == "True"
    assert len(key) >= 50
    assert key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in var_dir.iterdir() if path.name.startswith(".secret_key")] == []

    second = start(var_dir, code, WAYMARK_DEMO="1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.split()[1] == key, "the key survives a restart"


def test_it_starts_in_debug_without_a_secret_key(tmp_path: Path) -> None:
    code = "from django.conf import settings as s\nprint(s.DEBUG, s.ALLOWED_HOSTS)"
    result = start(tmp_path, code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "['127.0.0.1',", "'localhost']"]
    assert (tmp_path / "secret_key").exists()


def on_sqlite(var_dir: Path, database: Path, code: str) -> list[str]:
    """What `code` prints, run with a good key on the SQLite file `database` (it must exit 0)."""
    result = start(var_dir, code, SECRET_KEY=GOOD_KEY, DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_it_uses_wal_a_busy_timeout_and_immediate_transactions_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "waymark.sqlite3"
    code = (
        "from django.conf import settings as s\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA foreign_keys'); print(c.fetchone()[0])\n"
        "print(s.DATABASES['default']['OPTIONS']['transaction_mode'])\n"
    )
    assert on_sqlite(tmp_path, database, code) == ["wal", "5000", "1", "IMMEDIATE"]
    assert database.exists(), "the database's folder is created"


def test_it_takes_the_write_lock_when_a_transaction_begins_on_sqlite(tmp_path: Path) -> None:
    """IMMEDIATE: an atomic block holds the write lock before its first write."""
    database = tmp_path / "waymark.sqlite3"
    code = (
        "import sqlite3\n"
        "from django.db import connection, transaction\n"
        f"other = sqlite3.connect({str(database)!r}, timeout=0)\n"
        "with transaction.atomic():\n"
        "    connection.cursor().execute('SELECT 1')\n"
        "    try:\n"
        "        other.execute('BEGIN IMMEDIATE')\n"
        "        print('unlocked')\n"
        "    except sqlite3.OperationalError as error:\n"
        "        print(str(error).replace(' ', '-'))\n"
    )
    assert on_sqlite(tmp_path, database, code) == ["database-is-locked"]


def test_it_never_overwrites_a_kept_demo_key(tmp_path: Path) -> None:
    """Two processes starting at once must end up with the same key."""
    from waymark.settings import _write_new_key

    key_file = tmp_path / "var" / "secret_key"
    _write_new_key(key_file)
    first = key_file.read_text()
    _write_new_key(key_file)  # the loser of a race
    assert key_file.read_text() == first
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


# Three requests in one process: how many SQLite connections were opened (each runs the
# PRAGMAs), and whether the kept one still has them.
REQUESTS_ON_ONE_CONNECTION = """
from django.core.signals import request_finished, request_started
from django.db import connection
opened = []
connect = connection.get_new_connection
connection.get_new_connection = lambda params: opened.append(1) or connect(params)
for _ in range(3):
    request_started.send(None)
    with connection.cursor() as c:
        c.execute('SELECT 1')
    request_finished.send(None)
requests_opened = len(opened)
with connection.cursor() as c:
    c.execute('PRAGMA busy_timeout'); busy = c.fetchone()[0]
    c.execute('PRAGMA foreign_keys'); keys = c.fetchone()[0]
print(requests_opened, busy, keys)
"""


@pytest.mark.parametrize(("max_age", "connections"), [("", "1"), ("0", "3")])
def test_it_keeps_one_sqlite_connection_across_requests_with_its_pragmas(
    tmp_path: Path, max_age: str, connections: str
) -> None:
    result = start(
        tmp_path,
        REQUESTS_ON_ONE_CONNECTION,
        SECRET_KEY=GOOD_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'waymark.sqlite3'}",
        DATABASE_CONN_MAX_AGE=max_age,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [connections, "5000", "1"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler")
def test_it_connects_to_postgres_with_jit_compilation_off() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
