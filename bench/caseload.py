"""Caseload page at 500 and 5,000 patients, each with a year of daily check-ins.

`python -m bench.caseload sqlite|postgres` builds a fresh database: one organization
with 500 patients and one with 5,000, a year of daily check-ins each (bulk inserted),
their PatientRisk rows from the real `reassess()` for a sample and a fast bulk path for
the rest, then times the caseload view through Django's full request stack.
Prints JSON: p50/p95 server time and the SQL query count for each size.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import percentile, use_database
from waymark.testing.real_database import real_database

SIZES = (500, 5000)
DAYS = 365
REQUESTS = 40
REASSESS_SAMPLE = 50


def build(size: int, rng: random.Random, progress: object) -> tuple[object, list[object]]:
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.checkins.models import CheckIn
    from waymark.organizations.models import LevelOfCare, Membership, Role
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.patients.models import Episode, Patient, ProgramStay
    from waymark.risk.models import PatientRisk

    org = create_organization(name=f"Bench {size}", slug=f"bench-{size}", timezone="UTC")
    programs = [p for p in create_default_programs(org) if p.level != LevelOfCare.CONTINUING]
    clinician = User.objects.create_user(username=f"clin-{size}", password="x" * 20)
    Membership.objects.create(organization=org, user=clinician, role=Role.CLINICIAN)
    users = User.objects.bulk_create(User(username=f"p{size}-{n}") for n in range(size))
    Membership.objects.bulk_create(
        Membership(organization=org, user=u, role=Role.PATIENT) for u in users
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS)
    patients = Patient.objects.bulk_create(
        Patient(
            organization=org,
            user=u,
            preferred_name=f"Patient {n}",
            date_of_birth=dt.date(1990, 1, 1),
            timezone="UTC",
            substances=["ketamine"],
            recovery_start_date=start,
        )
        for n, u in enumerate(users)
    )
    episodes = Episode.objects.bulk_create(
        Episode(organization=org, patient=p, admitted_on=start) for p in patients
    )
    ProgramStay.objects.bulk_create(
        ProgramStay(
            organization=org, patient=p, episode=e, program=rng.choice(programs), started_on=start
        )
        for p, e in zip(patients, episodes, strict=True)
    )
    now = timezone.now()
    batch: list[CheckIn] = []
    for patient in patients:
        for back in range(DAYS):
            day = today - dt.timedelta(days=back)
            batch.append(
                CheckIn(
                    organization=org,
                    patient=patient,
                    local_date=day,
                    craving=rng.randint(0, 10),
                    mood=rng.randint(1, 5),
                    sleep_hours=rng.randint(4, 9),
                    sleep_quality=rng.randint(1, 5),
                    stress=rng.randint(0, 10),
                    safety_concern=False,
                    completed_at=now,
                    completed_on=day,
                    submitted_at=now,
                    updated_at=now,
                )
            )
        if len(batch) >= 20000:
            CheckIn.objects.bulk_create(batch)
            progress.update(len(batch))  # type: ignore[attr-defined]
            batch = []
    CheckIn.objects.bulk_create(batch)
    progress.update(len(batch))  # type: ignore[attr-defined]
    PatientRisk.objects.bulk_create(
        PatientRisk(
            organization=org,
            patient=p,
            level=rng.choice([0, 0, 10, 20, 30, 40]),
            reasons=[
                {"rule": "craving.high", "level": 20, "reason": "Craving 7/10.", "source": ""}
            ],
            last_checkin_on=today,
            last_activity_at=now,
            craving_14d=[rng.randint(0, 10) for _ in range(14)],
            assessed_at=now,
        )
        for p in patients
    )
    return clinician, list(patients)


def time_caseload(clinician: object) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from waymark.testing.second_factor import verify_session

    client = Client()
    client.force_login(clinician)  # type: ignore[arg-type]
    verify_session(client, clinician)  # staff pages need the second factor (issue 12)
    client.get("/caseload/")  # warm up
    timings = []
    with CaptureQueriesContext(connection) as captured:
        client.get("/caseload/")
    queries = len(captured)  # read now: the next request clears the log
    for _ in range(REQUESTS):
        began = time.perf_counter()
        response = client.get("/caseload/")
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "queries": queries,
    }


def time_reassess(patients: list[object]) -> dict[str, float]:
    from waymark.risk.services import reassess

    timings = []
    for patient in patients[:REASSESS_SAMPLE]:
        began = time.perf_counter()
        reassess(patient)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
    }


def main() -> None:
    database = sys.argv[1]
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        os.environ["ALLOWED_HOSTS"] = "testserver"
        import django

        django.setup()
        from tqdm import tqdm

        rng = random.Random(7)  # noqa: S311 - synthetic data
        results = {}
        total = sum(SIZES) * DAYS
        with tqdm(
            total=total, desc=f"{database} check-ins", unit="row", file=sys.stderr, disable=None
        ) as bar:
            built = {size: build(size, rng, bar) for size in SIZES}
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        for size, (clinician, patients) in built.items():
            results[str(size)] = {
                "caseload": time_caseload(clinician),
                "reassess": time_reassess(patients),
            }
    print(json.dumps({"database": database, "results": results}))


if __name__ == "__main__":
    main()
