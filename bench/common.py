"""What every benchmark shares: the database, the server and its settings, wrk, CPU time
from /proc, the load average, and summaries of interleaved rounds.

Server settings for benchmarks live here alone (SERVER_SETTINGS), so a setting a
benchmark needs (e.g. API rate limiting off) is changed in one place.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from waymark.testing.real_database import (
    TEMPLATE_ENV,
    drop_shared_templates,
    real_database,
    shared_template,
)

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk" / "post.lua"
QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = 3  # interleaved A/B rounds, quick or not
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The one place for how the benchmarked server runs (gunicorn, one sync worker per core).
# API_WRITE_THROTTLE off: the benchmarks post from one token far above a person's rate
# (issue 12, point 6 limits API writes per token).
SERVER_SETTINGS = {"DEBUG": "0", "LOG_LEVEL": "WARNING", "API_WRITE_THROTTLE": "0"}
GUNICORN_WORKERS = 2


def use_database(name: str) -> None:
    """Point the fresh database real_database() makes at SQLite or the local PostgreSQL."""
    if name == "postgres":
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"
    elif name == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        raise SystemExit(f"Unknown database {name!r}: use sqlite or postgres.")


@contextmanager
def migrated_template(database: str) -> Iterator[None]:
    """Migrate one database of this kind once per run and point real_database()'s
    TEMPLATE_ENV at it, so every benchmark's fresh database copies it (the benchmarks run as
    subprocesses that inherit it): migrating takes ~20 s of CPU. Dropped afterwards."""
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ[TEMPLATE_ENV] = shared_template(Path(tmp))
        try:
            yield
        finally:
            os.environ.pop(TEMPLATE_ENV, None)
            drop_shared_templates(Path(tmp))


@contextmanager
def benchmark_database(name: str) -> Iterator[dict[str, str]]:
    """A fresh database of this kind (sqlite or postgres) for one benchmark, its settings put
    in os.environ for django.setup(), and given back for a server or worker started with them."""
    use_database(name)
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        yield env


def settle_after_bulk_load() -> None:
    """As autovacuum would after a bulk load: statistics for the planner and, on PostgreSQL,
    a VACUUM too (inserts trigger it), which sets the visibility map index-only scans use."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def bench_size(name: str) -> tuple[int, int]:
    """Patients and days of a benchmark that builds a year of care: BENCH_<NAME>_PATIENTS
    and BENCH_<NAME>_DAYS (another size, e.g. profiling at 2,000 × 365), else 10,000 × 365
    (200 × 30 with BENCH_QUICK=1)."""
    patients = int(os.environ.get(f"BENCH_{name}_PATIENTS") or (200 if QUICK else 10_000))
    days = int(os.environ.get(f"BENCH_{name}_DAYS") or (30 if QUICK else 365))
    return patients, days


@contextmanager
def counted_sql() -> Iterator[list[str]]:
    """The SQL statements run inside, counted as executed (a request that reconnects starts
    a new connection, which clears the log CaptureQueriesContext reads)."""
    from django.db import connection

    captured: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        captured.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        yield captured


def timed_rounds(
    size: tuple[int, int], timings_ms: Sequence[float], statements: list[str]
) -> dict[str, float]:
    """What every build-and-time benchmark reports first: its size (`bench_size`), the
    median and the slowest of its timed rounds in ms, and the SQL statements one round ran."""
    patients, days = size
    return {
        "patients": patients,
        "days": days,
        "p50_ms": round(statistics.median(timings_ms), 1),
        "max_ms": round(max(timings_ms), 1),
        "queries": len(statements),
    }


def build_and_time(
    name: str, build: Callable[[random.Random], Any], measure: Callable[[Any], dict[str, Any]]
) -> None:
    """A benchmark's main: a fresh database of the kind named on the command line
    (sqlite|postgres), `build` with the seeded random source (what it returns goes to
    `measure`), the statistics settled as after a bulk load, then `measure`; progress on
    stderr, then one JSON line: the database, the build's seconds and what `measure` found."""
    database = sys.argv[1]
    with benchmark_database(database):
        import django

        django.setup()
        print(f"{name}: database ready, building", file=sys.stderr, flush=True)
        began = time.perf_counter()
        built = build(random.Random(18))  # noqa: S311 - synthetic data
        built_s = round(time.perf_counter() - began, 1)
        settle_after_bulk_load()
        print(f"{name}: built in {built_s} s, timing", file=sys.stderr, flush=True)
        results = {"build_s": built_s, **measure(built)}
    print(json.dumps({"database": database, "results": results}))


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q between 0 and 1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(values: Sequence[float], digits: int = 2) -> dict[str, float]:
    """min / median / max of the rounds of one figure."""
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
    }


def load_average() -> float:
    """The 1-minute load average now, printed beside every figure (2 cores here)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """gunicorn serving Waymark on `port` with SERVER_SETTINGS; returns once it answers."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "waymark.wsgi:application",
        "--workers",
        str(GUNICORN_WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server_env = {**env, **SERVER_SETTINGS, "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(command, cwd=ROOT, env=server_env)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.5)  # the workers boot after the master binds
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(15)


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its children now (from /proc/<pid>/stat)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(entry.name))
    total = 0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def wrk(
    port: int,
    path: str,
    tokens_file: Path,
    *,
    mode: str,
    seconds: float,
    server_pid: int,
    connections: int = 8,
) -> dict[str, Any]:
    """One wrk run (POST `path`, one device token per request as `mode` says: "cycle"
    reuses them, "once" uses each once); requests/s, failures, CPU per request."""
    load = load_average()
    cpu_before = process_tree_cpu_seconds(server_pid)
    done = subprocess.run(  # noqa: S603 - wrk, the Debian package
        [  # noqa: S607
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            f"http://127.0.0.1:{port}{path}",
            "--",
            str(tokens_file),
            mode,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = process_tree_cpu_seconds(server_pid) - cpu_before
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    ok = summary["requests"] - summary["failed"]
    return {
        "per_second": round(ok / summary["seconds"], 1),
        "requests": summary["requests"],
        "failed": summary["failed"],
        "exhausted": summary["exhausted"],
        "cpu_ms_per_request": round(cpu * 1000 / max(summary["requests"], 1), 2),
        "p99_ms": summary["p99_ms"],
        "load": load,
    }


def bulk_in_care(
    organization: Any, count: int, *, prefix: str, start: dt.date, program_of: Any
) -> tuple[list[Any], list[Any]]:
    """`count` patients of `organization` in care since `start`, each in the program
    `program_of()` gives (bulk inserted); their users and patients."""
    from waymark.accounts.models import User
    from waymark.organizations.models import Membership, Role
    from waymark.patients.models import Episode, Patient, ProgramStay

    users = User.objects.bulk_create(User(username=f"{prefix}{n}") for n in range(count))
    Membership.objects.bulk_create(
        Membership(organization=organization, user=u, role=Role.PATIENT) for u in users
    )
    patients = Patient.objects.bulk_create(
        Patient(
            organization=organization,
            user=u,
            preferred_name=f"Patient {n}",
            record_number=f"{prefix}{n}",  # bulk_create skips save(), which numbers them
            date_of_birth=dt.date(1990, 1, 1),
            timezone="UTC",
            substances=["ketamine"],
            recovery_start_date=start,
        )
        for n, u in enumerate(users)
    )
    episodes = Episode.objects.bulk_create(
        Episode(organization=organization, patient=p, admitted_on=start) for p in patients
    )
    ProgramStay.objects.bulk_create(
        ProgramStay(
            organization=organization, patient=p, episode=e, program=program_of(), started_on=start
        )
        for p, e in zip(patients, episodes, strict=True)
    )
    return users, patients


def bulk_patients(count: int, *, prefix: str, organization: Any = None) -> list[str]:
    """`count` outpatients in care with a device token each (bulk inserted); the secrets."""
    from django.utils import timezone

    from waymark.accounts.models import ApiToken, hash_token
    from waymark.organizations.models import LevelOfCare, Program
    from waymark.organizations.services import create_default_programs, create_organization

    if organization is None:
        organization = create_organization(name="Bench", slug=f"bench-{prefix}", timezone="UTC")
        create_default_programs(organization)
    program = Program.objects.get(organization=organization, level=LevelOfCare.OUTPATIENT)
    start = timezone.localdate() - dt.timedelta(days=30)
    users, _ = bulk_in_care(
        organization, count, prefix=prefix, start=start, program_of=lambda: program
    )
    secrets = [ApiToken.new_secret() for _ in users]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, name="bench", token_hash=hash_token(s), hint=s[:8])
        for u, s in zip(users, secrets, strict=True)
    )
    return secrets


def run_json(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args` (its own Django process); its last line of JSON."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
