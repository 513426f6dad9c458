"""Check-in writes against a no-op endpoint: same server, same auth and middleware, same run.

`python -m bench.checkin_throughput sqlite|postgres`: a fresh database, gunicorn with two
sync workers (one per core), and a load generator of threads on the same machine (it
competes for the same two cores, for both endpoints alike). Each patient posts with their
own device token. Measures the maximum rate of each endpoint over a fixed time, their
ratio, and the latency of check-ins offered at half the maximum rate (open loop). JSON out.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import percentile, use_database
from waymark.testing.real_database import ROOT, real_database

PATIENTS = 300
SECONDS = 10
THREADS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_patients() -> list[str]:
    import datetime as dt

    from waymark.accounts.models import User
    from waymark.accounts.services import issue_api_token
    from waymark.organizations.models import LevelOfCare, Program
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.patients.services import admit, enroll_patient

    org = create_organization(name="Bench", slug="bench", timezone="UTC")
    create_default_programs(org)
    program = Program.objects.get(organization=org, level=LevelOfCare.OUTPATIENT)
    tokens = []
    for n in range(PATIENTS):
        user = User.objects.create_user(username=f"p{n}")
        patient = enroll_patient(
            org, user, preferred_name=f"P{n}", date_of_birth=dt.date(1990, 1, 1)
        )
        admit(patient, program, on=dt.date.today() - dt.timedelta(days=30))
        tokens.append(issue_api_token(user, "bench")[1])
    return tokens


def checkin_body() -> bytes:
    return json.dumps(
        {
            "idempotency_key": str(uuid.uuid4()),
            "craving": 3,
            "mood": 4,
            "sleep_hours": "7.0",
            "sleep_quality": 4,
            "stress": 3,
            "safety_concern": False,
        }
    ).encode()


def post(port: int, path: str, token: str, body: bytes) -> tuple[int, float]:
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST", path, body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    status = connection.getresponse().status
    connection.close()
    return status, time.perf_counter() - began


def saturate(port: int, path: str, tokens: list[str]) -> dict[str, float]:
    """As many requests as THREADS closed loops manage in SECONDS."""
    ok, failed = [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def loop(offset: int) -> None:
        n = offset
        while time.monotonic() < stop:
            body = checkin_body() if path.endswith("checkins") else b""
            status, _ = post(port, path, tokens[n % len(tokens)], body)
            with lock:
                (ok if status in (200, 201, 204) else failed)[0] += 1
            n += THREADS

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"per_second": round(ok[0] / SECONDS, 1), "failed": failed[0]}


def paced(port: int, tokens: list[str], rate: float) -> dict[str, float]:
    """Check-ins offered at `rate` a second (open loop); latency of each."""
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    start = time.monotonic()
    count = int(rate * SECONDS)

    def one(n: int) -> None:
        status, seconds = post(port, "/api/v1/checkins", tokens[n % len(tokens)], checkin_body())
        with lock:
            latencies.append(seconds)
            if status not in (200, 201):
                failed[0] += 1

    threads = []
    for n in range(count):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one, args=(n,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {
        "rate": round(rate, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
        "failed": failed[0],
    }


def main() -> None:
    database = sys.argv[1]
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        import django

        django.setup()
        tokens = make_patients()
        port = free_port()
        server_env: dict[str, Any] = {
            **env,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "waymark.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        server = subprocess.Popen(command, cwd=ROOT, env=server_env)  # noqa: S603
        try:
            for _ in range(100):
                try:
                    post(port, "/api/v1/noop", tokens[0], b"")
                    break
                except OSError:
                    time.sleep(0.1)
            noop = saturate(port, "/api/v1/noop", tokens)
            checkins = saturate(port, "/api/v1/checkins", tokens)
            half = paced(port, tokens, max(checkins["per_second"] / 2, 1))
        finally:
            server.terminate()
            server.wait(15)
    print(
        json.dumps(
            {
                "database": database,
                "noop": noop,
                "checkins": checkins,
                "half_rate": half,
                "ratio": round(checkins["per_second"] / noop["per_second"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
