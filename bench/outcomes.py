"""The outcomes dashboard (issue 18 point 7) over a year of daily check-ins and questionnaires.

`python -m bench.outcomes sqlite|postgres` builds a fresh database: one organization with
10,000 patients (200 with BENCH_QUICK=1), admitted a year ago (30 days quick) into its
programs, a check-in on about 85 % of days with ketamine use on about 3 %, and a PHQ-9,
GAD-7 and WHO-5 every 14 days, all bulk inserted. Then GETs /outcomes/ for a 365-day
period as an organization admin in-process (Django test client: the view, its SQL and the
template, no HTTP server), counting the SQL statements. Prints JSON: p50 / max ms of
ROUNDS requests, the query count, rows built, load average.
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
from typing import Any

from bench.common import QUICK, bulk_in_care, fresh_database, load_average, use_database

# BENCH_OUTCOMES_PATIENTS / _DAYS: a size in between (building the full year takes long).
PATIENTS = int(os.environ.get("BENCH_OUTCOMES_PATIENTS") or (200 if QUICK else 10_000))
DAYS = int(os.environ.get("BENCH_OUTCOMES_DAYS") or (30 if QUICK else 365))
ROUNDS = 3
QUESTIONNAIRES = ("phq-9", "gad-7", "who-5")


def build(rng: random.Random) -> Any:
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.checkins.models import CheckIn, SubstanceUse
    from waymark.organizations.models import Membership, Role
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.patients.models import Patient
    from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

    org = create_organization(name="Bench outcomes", slug="bench-outcomes", timezone="UTC")
    programs = create_default_programs(org)
    admin = User.objects.create_user(username="bench-admin", password="x" * 20)
    Membership.objects.create(organization=org, user=admin, role=Role.ADMIN)
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS - 1)
    users, patients = bulk_in_care(
        org, PATIENTS, prefix="o-", start=start, program_of=lambda: rng.choice(programs)
    )
    Patient.objects.filter(organization=org).update(substance_goals={"ketamine": "abstinence"})
    forms = {
        q.key: q for q in Questionnaire.objects.filter(key__in=QUESTIONNAIRES, is_current=True)
    }
    now = timezone.now()
    for patient, user in zip(patients, users, strict=True):
        checkins, answers = [], []
        for back in range(DAYS):
            day = start + dt.timedelta(days=back)
            if rng.random() < 0.85:
                checkins.append(CheckIn(
                    organization=org, patient=patient, local_date=day, craving=rng.randint(0, 10),
                    mood=rng.randint(1, 5), sleep_hours=7, sleep_quality=3, stress=3,
                    safety_concern=False, completed_at=now, completed_on=day, submitted_at=now,
                    updated_at=now,
                ))  # fmt: skip
            if back % 14 == 0:
                answers += [
                    QuestionnaireResponse(
                        organization=org, patient=patient, questionnaire=forms[key],
                        questionnaire_key=key, answers={}, scoring_form="standard", scores={},
                        primary_score=rng.randint(0, 100 if key == "who-5" else 21),
                        submitted_at=now, submitted_on=day, submitted_by=user,
                    )
                    for key in QUESTIONNAIRES
                ]  # fmt: skip
        CheckIn.objects.bulk_create(checkins)
        SubstanceUse.objects.bulk_create(
            SubstanceUse(
                organization=org,
                patient=patient,
                checkin=c,
                substance="ketamine",
                used_on=c.local_date,
            )
            for c in checkins
            if rng.random() < 0.03
        )
        QuestionnaireResponse.objects.bulk_create(answers)
    return admin


def time_dashboard(admin: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from waymark.testing.second_factor import verify_session

    client = Client()
    client.force_login(admin)
    verify_session(client, admin)  # staff pages need the second factor (issue 12)
    captured: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        captured.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        response = client.get("/outcomes/", {"period": "365"})
    assert response.status_code == 200, response.status_code
    load = load_average()
    timings = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        client.get("/outcomes/", {"period": "365"})
        timings.append((time.perf_counter() - began) * 1000)
    return {
        "patients": PATIENTS,
        "days": DAYS,
        "p50_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
        "queries": len(captured),
        "load": load,
    }


def main() -> None:
    database = sys.argv[1]
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as env:
        os.environ.update(env)
        os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
        import django

        django.setup()
        from django.db import connection

        print("outcomes: database ready, building", file=sys.stderr, flush=True)
        began = time.perf_counter()
        admin = build(random.Random(18))  # noqa: S311 - synthetic data
        built_s = round(time.perf_counter() - began, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        print(f"outcomes: built in {built_s} s, timing", file=sys.stderr, flush=True)
        results = {"build_s": built_s, **time_dashboard(admin)}
    print(json.dumps({"database": database, "results": results}))


if __name__ == "__main__":
    main()
