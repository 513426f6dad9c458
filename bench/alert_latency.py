"""A risky check-in → its alert (same transaction) → the e-mail delivery task started.

`python -m bench.alert_latency sqlite|postgres`: a fresh database, one real worker process
(polling every 0.5 s, as shipped; woken by each new task on PostgreSQL), a background
load of ordinary check-ins from other patients (each queues a reassessment, the work
the worker fell behind on), and N patients each submitting a check-in with a safety
"yes" through the real service. For each: is the alert there the moment the check-in
commits, and how long until a worker starts the urgent e-mail's task. JSON out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from typing import Any

from bench.common import (
    QUICK,
    benchmark_database,
    bulk_patients,
    load_average,
    percentile,
)
from waymark.testing.real_database import ROOT

PATIENTS = 10 if QUICK else 40
LOAD_PATIENTS = 300
LOAD_PER_SECOND = 10  # ordinary check-ins a second while the alerts are measured


def background_load(stop: threading.Event, done: list[int]) -> None:
    """Ordinary check-ins at LOAD_PER_SECOND until `stop`; counts [done, failed]."""
    from django.db import connection
    from django.utils import timezone

    from waymark.checkins.services import CheckInData, submit_checkin
    from waymark.patients.models import Patient

    patients = list(Patient.objects.filter(user__username__startswith="load"))
    next_at = time.monotonic()
    try:
        while not stop.is_set():
            patient = patients[(done[0] + done[1]) % len(patients)]
            data = CheckInData(
                local_date=timezone.localdate(), craving=4, mood=3, sleep_hours=Decimal(6),
                sleep_quality=3, stress=4, safety_concern=False,
            )  # fmt: skip
            try:
                submit_checkin(patient, data, key=uuid.uuid4())
                done[0] += 1
            except Exception:  # counted, not hidden
                done[1] += 1
            next_at += 1 / LOAD_PER_SECOND
            time.sleep(max(next_at - time.monotonic(), 0))
    finally:
        connection.close()


def setup() -> list[Any]:
    from waymark.accounts.models import User
    from waymark.organizations.models import LevelOfCare, Program, Role
    from waymark.organizations.services import (
        add_member,
        create_default_programs,
        create_organization,
    )
    from waymark.patients.services import admit, assign_clinician, enroll_patient

    org = create_organization(name="Bench", slug="bench", timezone="UTC")
    create_default_programs(org)
    program = Program.objects.get(organization=org, level=LevelOfCare.RESIDENTIAL)
    clinician = User.objects.create_user(username="clin", email="clin@example.org")
    add_member(org, clinician, Role.CLINICIAN)
    patients: list[Any] = []
    for n in range(PATIENTS):
        user = User.objects.create_user(username=f"p{n}")
        patient = enroll_patient(
            org, user, preferred_name=f"P{n}", date_of_birth=dt.date(1990, 1, 1)
        )
        admit(patient, program, on=dt.date.today() - dt.timedelta(days=10))
        assign_clinician(patient, clinician, primary=True)
        patients.append(patient)
    return patients


def main() -> None:
    database = sys.argv[1]
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    with benchmark_database(database):
        import django

        django.setup()
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from waymark.alerts.models import Alert
        from waymark.checkins.services import CheckInData, submit_checkin
        from waymark.notifications.models import Delivery

        patients = setup()
        from waymark.organizations.models import Organization

        bulk_patients(LOAD_PATIENTS, prefix="load", organization=Organization.objects.get())
        command = [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.5"]
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            command,
            cwd=ROOT,
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL,
        )
        committed: dict[str, dt.datetime] = {}
        alerts_at_commit = 0
        started: dict[str, dt.datetime] = {}
        stop, load_counts = threading.Event(), [0, 0]
        loader = threading.Thread(target=background_load, args=(stop, load_counts))
        load = 0.0
        try:
            time.sleep(2)
            loader.start()
            time.sleep(1)  # the reassessments are queueing
            load = load_average()
            load_started = time.monotonic()
            for patient in patients:
                time.sleep(random.uniform(0.1, 0.4))  # noqa: S311
                data = CheckInData(
                    local_date=timezone.localdate(),
                    craving=3,
                    mood=3,
                    sleep_hours=Decimal(7),
                    sleep_quality=3,
                    stress=3,
                    safety_concern=True,
                )
                submit_checkin(patient, data, key=uuid.uuid4())
                committed[str(patient.pk)] = timezone.now()
                alerts_at_commit += Alert.objects.filter(
                    patient=patient, rule_id="checkin.safety"
                ).count()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                deliveries = dict(Delivery.objects.values_list("pk", "notification__patient_id"))
                started = {
                    str(deliveries[r.args_kwargs["args"][0]]): r.started_at
                    for r in DBTaskResult.objects.filter(task_path__endswith="deliver_email")
                    if r.started_at and r.args_kwargs["args"][0] in deliveries
                }
                if len(started) >= len(committed):
                    break
                time.sleep(0.3)
        finally:
            stop.set()
            if loader.is_alive():
                loader.join(30)
            load_seconds = time.monotonic() - load_started if load else 0
            worker.terminate()
            worker.wait(15)
    latencies = [
        max((started[p] - committed[p]).total_seconds(), 0.0) for p in committed if p in started
    ]
    print(
        json.dumps(
            {
                "database": database,
                "checkins": len(committed),
                "alerts_at_commit": alerts_at_commit,
                "deliveries_started": len(latencies),
                "p50_s": round(statistics.median(latencies), 3) if latencies else None,
                "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
                "background_checkins_per_s": round(load_counts[0] / max(load_seconds, 1), 1),
                "background_failed": load_counts[1],
                "load": load,
            }
        )
    )


if __name__ == "__main__":
    main()
