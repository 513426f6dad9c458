"""The kill test: check-ins under load while the server is killed again and again.

`python -m bench.durability sqlite|postgres [--kills 6] [--worker]`

A fresh database, gunicorn (2 sync workers) and, with --worker, a task worker. Client
threads post check-ins for many patients, each with its own device token. Every request
carries a new idempotency key; when a request fails (connection refused or reset, a 5xx)
the client sends it again with the same key until it is answered, as Waymark's app does.
Meanwhile the server's whole process group (and the worker) is SIGKILLed `--kills`
times at random moments, and started again at once.

Then it counts, from the database: every acknowledged submission must be stored (its key
is kept in the check-in's transaction), and nothing may be stored twice: no patient has
two check-ins for a day, and each check-in's revision equals the number of submissions
stored for it (a submission applied twice would add a revision). With --worker it also
waits for the queue to drain: tasks cut off by a kill must run again and finish.
Prints one JSON line; exits 1 if anything acknowledged was lost or duplicated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from waymark.testing.real_database import ROOT, real_database

POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_patients(count: int) -> list[str]:
    """`count` outpatients of one organization, each with a device token."""
    from waymark.accounts.models import User
    from waymark.accounts.services import issue_api_token
    from waymark.organizations.models import LevelOfCare, Program
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.patients.services import admit, enroll_patient

    org = create_organization(name="Kill test", slug="kill-test", timezone="UTC")
    create_default_programs(org)
    program = Program.objects.get(organization=org, level=LevelOfCare.OUTPATIENT)
    tokens = []
    for n in range(count):
        user = User.objects.create_user(username=f"k{n}")
        patient = enroll_patient(
            org, user, preferred_name=f"K{n}", date_of_birth=dt.date(1990, 1, 1)
        )
        admit(patient, program, on=dt.date.today() - dt.timedelta(days=30))
        tokens.append(issue_api_token(user, "kill test")[1])
    return tokens


class Server:
    """gunicorn in a process group of its own, so one SIGKILL takes master and workers."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        began = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "waymark.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "critical"],
            cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = began + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("The server did not become healthy within 60 s.")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.2"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


class Load:
    """Client threads posting check-ins; each submission is retried until answered."""

    def __init__(self, port: int, tokens: list[str], threads: int) -> None:
        self.port, self.tokens, self.threads = port, tokens, threads
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[str, int] = {}  # key → HTTP status of the answer
        self.refused: Counter[int] = Counter()
        self.retries = 0
        self.retried = 0  # submissions sent more than once before an answer
        self.cut_off = 0  # requests whose connection broke after they were sent
        self.workers = [threading.Thread(target=self.loop, args=(n,)) for n in range(threads)]

    def body(self, key: str) -> bytes:
        return json.dumps(
            {
                "idempotency_key": key,
                "craving": random.randint(0, 5),  # noqa: S311 - not for secrets
                "mood": random.randint(1, 5),  # noqa: S311
                "sleep_hours": "7.0",
                "sleep_quality": random.randint(1, 5),  # noqa: S311
                "stress": random.randint(0, 5),  # noqa: S311
                "safety_concern": False,
            }
        ).encode()

    def post(self, token: str, body: bytes) -> int | None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            connection.request(
                "POST", "/api/v1/checkins", body,
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            status = connection.getresponse().status
            connection.close()
        except ConnectionRefusedError:
            return None  # the server is down: the request never reached it
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.cut_off += 1  # sent, then the connection broke: killed mid-request
            return None
        return None if status >= 500 else status

    def loop(self, offset: int) -> None:
        n = offset
        # Patients are shared out between threads, so two threads never post for the same
        # patient at once (a phone sends one check-in at a time).
        mine = self.tokens[offset :: self.threads]
        while not self.stop.is_set():
            token = mine[n % len(mine)]
            key = str(uuid.uuid4())
            body = self.body(key)
            give_up = None
            attempts = 1
            while (status := self.post(token, body)) is None:
                attempts += 1
                with self.lock:
                    self.retries += 1
                if self.stop.is_set():
                    give_up = give_up or time.monotonic() + 30
                    if time.monotonic() > give_up:
                        break
                time.sleep(0.05)
            with self.lock:
                self.retried += attempts > 1
                if status in (200, 201):
                    self.acknowledged[key] = status
                elif status is not None:
                    self.refused[status] += 1
            n += 1

    def start(self) -> None:
        for thread in self.workers:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.workers:
            thread.join()


def stored() -> dict[str, Any]:
    """What the database holds: submission keys, check-ins per day, revisions vs keys."""
    from django.db import connections
    from django.db.models import Count

    from waymark.checkins.models import CheckIn, SubmissionKey, SubmissionKind

    connections.close_all()
    keys = SubmissionKey.objects.filter(kind=SubmissionKind.CHECKIN)
    per_checkin = Counter(keys.values_list("object_id", flat=True))
    two_a_day = (
        CheckIn.objects.values("patient_id", "local_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    extra_revisions = sum(
        max(0, revision - per_checkin[str(pk)])
        for pk, revision in CheckIn.objects.values_list("pk", "revision")
    )
    return {
        "keys": {str(key) for key in keys.values_list("key", flat=True)},
        "checkins": CheckIn.objects.count(),
        "two_checkins_a_day": two_a_day,
        "revisions_beyond_submissions": extra_revisions,
    }


def drain(seconds: float) -> dict[str, int]:
    """Wait for the task queue to empty; the tasks by status."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from waymark.risk.models import PendingReassessment

    deadline = time.monotonic() + seconds
    while True:
        connections.close_all()
        statuses = Counter(DBTaskResult.objects.values_list("status", flat=True))
        statuses["REASSESSMENTS_QUEUED"] = PendingReassessment.objects.count()
        pending = statuses["READY"] + statuses["RUNNING"] + statuses["REASSESSMENTS_QUEUED"]
        if not pending or time.monotonic() > deadline:
            return dict(statuses)
        time.sleep(1)


def run(database: str, kills: int, with_worker: bool, patients: int, threads: int) -> int:
    if database == "postgres":
        os.environ["DATABASE_URL"] = POSTGRES
    elif database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        raise SystemExit(f"Unknown database {database!r}: use sqlite or postgres.")
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        import django

        django.setup()
        tokens = make_patients(patients)
        server_env = {**env, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "CRITICAL"}
        server, worker = Server(server_env, free_port()), Worker(server_env)
        load = Load(server.port, tokens, threads)
        restarts: list[float] = []
        began = time.monotonic()
        try:
            server.start()
            if with_worker:
                worker.start()
            load.start()
            for _ in range(kills):
                time.sleep(random.uniform(1.0, 3.0))  # noqa: S311 - a random moment
                server.kill()
                if with_worker:
                    worker.kill()
                    worker.start()
                restarts.append(server.start())
            time.sleep(2)
            load.finish()
            tasks = drain(60) if with_worker else {}
        finally:
            load.stop.set()
            server.stop()
            worker.stop()
        seconds = time.monotonic() - began
        found = stored()
    acknowledged = set(load.acknowledged)
    lost = acknowledged - found["keys"]
    duplicates = found["two_checkins_a_day"] + found["revisions_beyond_submissions"]
    result = {
        "database": database,
        "kills": kills,
        "worker_killed_too": with_worker,
        "seconds": round(seconds, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "acknowledged": len(acknowledged),
        "submissions_retried": load.retried,
        "stored": len(found["keys"]),
        "acknowledged_but_not_stored": len(lost),
        "stored_but_never_acknowledged": len(found["keys"] - acknowledged),
        "duplicates": duplicates,
        "refused": dict(load.refused),
        "client_retries": load.retries,
        "requests_cut_off_mid_flight": load.cut_off,
        "restart_seconds_max": round(max(restarts, default=0), 2),
        "tasks_by_status": tasks,
    }
    print(json.dumps(result))
    return 1 if lost or duplicates else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database", choices=["sqlite", "postgres"])
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--worker", action="store_true", help="Kill a task worker too.")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()
    sys.exit(
        run(options.database, options.kills, options.worker, options.patients, options.threads)
    )


if __name__ == "__main__":
    main()
