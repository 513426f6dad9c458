"""Caseload pages at 500, 5,000 and 20,000 patients, each with a year of daily check-ins.

`python -m bench.caseload sqlite|postgres` builds a fresh database: one organization per
size, a year of daily check-ins each (3 days with BENCH_QUICK=1, at 500 and 2,000 patients), all
bulk inserted, with PatientRisk rows; then walks the first pages of each caseload by their
next links through gunicorn (bench/common.py), each request on a fresh connection, and
counts the SQL statements of a page in-process. Also times the real `reassess()` on a
sample. Prints JSON: p50/p95/max per page request, failures, load average, queries.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
from typing import Any

from bench.common import (
    QUICK,
    benchmark_database,
    bulk_in_care,
    counted_sql,
    free_port,
    load_average,
    percentile,
    settle_after_bulk_load,
    start_server,
    stop_server,
)

# BENCH_CASELOAD_SIZES: other sizes, comma-separated (e.g. "5000" to time only that one).
SIZES = tuple(
    int(size) for size in os.environ.get("BENCH_CASELOAD_SIZES", "").split(",") if size
) or ((500, 2000) if QUICK else (500, 5000, 20000))
DAYS = 3 if QUICK else 365
PAGES = 5  # pages walked by their next links
WALKS = 3 if QUICK else 12
REASSESS_SAMPLE = 20 if QUICK else 50
NEXT = re.compile(r'<a href="\?([^"]*after=[^"]*)">Next</a>')


def build(size: int, rng: random.Random, progress: object) -> tuple[object, list[object]]:
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.checkins.models import CheckIn
    from waymark.organizations.models import LevelOfCare, Membership, Role
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.risk.models import PatientRisk

    org = create_organization(name=f"Bench {size}", slug=f"bench-{size}", timezone="UTC")
    programs = [p for p in create_default_programs(org) if p.level != LevelOfCare.CONTINUING]
    clinician = User.objects.create_user(username=f"clin-{size}", password="x" * 20)
    Membership.objects.create(organization=org, user=clinician, role=Role.CLINICIAN)
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS)
    _, patients = bulk_in_care(
        org, size, prefix=f"p{size}-", start=start, program_of=lambda: rng.choice(programs)
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


def time_queries(clinician: object) -> dict[str, Any]:
    """SQL statements of one caseload page through the full stack in this process, and
    the share of its time spent rendering the template (cProfile over 10 requests)."""
    import cProfile
    import pstats

    from django.test import Client

    from waymark.testing.second_factor import verify_session

    client = Client()
    client.force_login(clinician)  # type: ignore[arg-type]
    verify_session(client, clinician)  # staff pages need the second factor (issue 12)
    client.get("/caseload/")  # warm up
    with counted_sql() as captured:  # each request reconnects (CONN_MAX_AGE=0)
        client.get("/caseload/")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(10):
        client.get("/caseload/")
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in stats.values())  # own time of every function
    rendering = max(
        (ct for (path, _, name), (_, _, _, ct, _) in stats.items()
         if name == "render" and path.endswith("django/template/backends/django.py")),
        default=0.0,
    )  # fmt: skip
    return {
        "queries": len(captured),
        "render_share": round(rendering / total, 2) if total else 0.0,
        "render_ms": round(rendering * 100, 1),  # per request: 10 requests, in ms
    }


def session_cookie(clinician: object) -> str:
    from django.test import Client

    from waymark.testing.second_factor import verify_session

    client = Client()
    client.force_login(clinician)  # type: ignore[arg-type]
    verify_session(client, clinician)  # else every page is the second factor's redirect
    return f"sessionid={client.cookies['sessionid'].value}"


def get(port: int, path: str, cookie: str) -> tuple[int, str, float]:
    """One GET on a fresh connection: status, body, seconds."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body, time.perf_counter() - began


def time_pages(port: int, cookie: str) -> dict[str, Any]:
    """Walk the first PAGES pages by their next links, WALKS times; every request on a
    fresh connection. Latency per page request, failures counted."""
    timings, failed, pages = [], 0, 0
    load = load_average()
    get(port, "/caseload/", cookie)  # warm up the workers
    for _ in range(WALKS):
        path: str | None = "/caseload/"
        for _ in range(PAGES):
            if path is None:
                break
            status, body, seconds = get(port, path, cookie)
            timings.append(seconds * 1000)
            pages += 1
            if status != 200:
                failed += 1
                break
            found = NEXT.search(body)
            path = "/caseload/?" + html.unescape(found.group(1)) if found else None
    return {
        "requests": len(timings),
        "failed": failed,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "load": load,
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
    with benchmark_database(database) as env:
        os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
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
        settle_after_bulk_load()
        port = free_port()
        server = start_server(env, port)
        try:
            for size, (clinician, patients) in built.items():
                results[str(size)] = {
                    "caseload": time_pages(port, session_cookie(clinician)),
                    **time_queries(clinician),
                    "reassess": time_reassess(patients),
                }
        finally:
            stop_server(server)
    print(json.dumps({"database": database, "results": results}))


if __name__ == "__main__":
    main()
