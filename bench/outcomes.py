"""The outcomes dashboard (issue 18 point 7) over a year of daily check-ins and questionnaires.

`python -m bench.outcomes sqlite|postgres` builds a fresh database: one organization with
10,000 patients (200 with BENCH_QUICK=1), admitted a year ago (30 days quick) into its
programs, a check-in on about 85 % of days with ketamine use on about 3 %, and a PHQ-9,
GAD-7 and WHO-5 every 14 days (about 85 % of them answered, at noon of their day),
inserted set-based (a progress line per step on stderr); the programs' questionnaire
schedules of bench.missed, so the page's missed list has due occurrences to count, some
answered and some missed, and a clinician's look at every tenth patient's answers
half-way.
Then GETs /outcomes/ for a 365-day period as an organization admin in-process (Django
test client: the view, its SQL and the template, no HTTP server), counting the SQL
statements. Prints JSON: p50 / max ms of ROUNDS requests, the query count, the first
request's ms (it computes the measures' roll-up, outcomes.StayScores, for every stay; the
timed ones find it current), load average, and each figure's own time (figures_ms).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.common import (
    bench_size,
    build_and_time,
    bulk_in_care,
    counted_sql,
    load_average,
    timed_rounds,
)
from bench.missed import ask_questionnaires

SIZE = bench_size("OUTCOMES")
PATIENTS, DAYS = SIZE
ROUNDS = 3
QUESTIONNAIRES = ("phq-9", "gad-7", "who-5")


CHUNK = 1_000  # patients per INSERT … SELECT, so the build prints its progress
MODULUS = 2_147_483_647  # 2^31 − 1: squares stay inside a 64-bit integer


def progress(message: str) -> None:
    print(f"outcomes: {message}", file=sys.stderr, flush=True)


def draw(*terms: str, salt: int) -> str:
    """SQL for a deterministic pseudo-random integer in [0, MODULUS) from integer columns
    (the same on SQLite and PostgreSQL, so both databases hold the same data): a linear
    mix, squared and mixed again modulo a prime."""
    mixed = " + ".join(
        f"CAST({term} AS BIGINT) * {k}" for term, k in zip(terms, (100_003, 7_919), strict=False)
    )
    x = f"(({mixed} + {salt}) %% {MODULUS})"
    y = f"(({x} * 48271) %% {MODULUS})"
    return f"((({y} * {y}) %% {MODULUS} * 16807 + {x}) %% {MODULUS})"


def build(rng: random.Random) -> Any:
    """The organization, its admin and PATIENTS patients in care since DAYS ago (ORM bulk
    inserts), then their check-ins, ketamine uses and questionnaire responses set-based:
    INSERT … SELECT over patients × days, CHUNK patients at a time (3.1 M check-ins at the
    full size; per-patient ORM objects took hours)."""
    from django.db import connection
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.audit.models import AuditAction, AuditObject
    from waymark.organizations.models import Membership, Role
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.patients.models import Patient
    from waymark.questionnaires.models import Questionnaire

    org = create_organization(name="Bench outcomes", slug="bench-outcomes", timezone="UTC")
    programs = create_default_programs(org)
    admin = User.objects.create_user(username="bench-admin", password="x" * 20)
    Membership.objects.create(organization=org, user=admin, role=Role.ADMIN)
    clinician = User.objects.create_user(username="bench-clinician", password="x" * 20)
    Membership.objects.create(organization=org, user=clinician, role=Role.CLINICIAN)
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS - 1)
    bulk_in_care(org, PATIENTS, prefix="o-", start=start, program_of=lambda: rng.choice(programs))
    Patient.objects.filter(organization=org).update(substance_goals={"ketamine": "abstinence"})
    # The programs' questionnaire schedules (as bench.missed's): the page's missed list then
    # has occurrences to count, not only answers, as it would in care.
    ask_questionnaires(org, programs, start)
    progress(f"{PATIENTS} patients in care since {start}")
    forms = dict(
        Questionnaire.objects.filter(key__in=QUESTIONNAIRES, is_current=True).values_list(
            "key", "pk"
        )
    )
    postgres = connection.vendor == "postgresql"
    empty_list, empty_object = ("'[]'::jsonb", "'{}'::jsonb") if postgres else ("'[]'", "'{}'")
    new_uuid = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
    now = timezone.now()
    day_rows = ", ".join(["(%s, %s)"] * DAYS)
    days = [v for n in range(DAYS) for v in (n, start + dt.timedelta(days=n))]
    # A response is submitted at noon UTC of its day: its time and its day agree, as in care
    # (the missed list matches them on both; they once were all `now`, and nothing matched).
    noon = [
        v
        for n in range(0, DAYS, 14)
        for v in (n, dt.datetime.combine(start + dt.timedelta(days=n), dt.time(12), dt.UTC))
    ]
    noon_rows = ", ".join(["(%s, %s)"] * len(noon[::2]))
    # Patients numbered 1…PATIENTS (their ids are UUIDs), days 0…DAYS−1 with their date.
    grid = (
        "WITH p AS (SELECT id, user_id, ROW_NUMBER() OVER (ORDER BY record_number) AS n "  # noqa: S608
        "FROM patients_patient WHERE organization_id = %s), "
        f"d (n, day) AS (VALUES {day_rows}) "
    )
    checkins = (
        f"{grid}INSERT INTO checkins_checkin (organization_id, patient_id, local_date, craving, "  # noqa: S608 - constants
        "mood, sleep_hours, sleep_quality, stress, triggers, habits, meetings, symptoms, "
        "safety_concern, note, completed_at, completed_on, submitted_at, updated_at, revision) "
        f"SELECT %s, p.id, d.day, {draw('p.n', 'd.n', salt=1)} %% 11, "
        f"{draw('p.n', 'd.n', salt=2)} %% 5 + 1, 7, 3, 3, {empty_list}, {empty_list}, "
        f"{empty_list}, {empty_list}, FALSE, '', %s, d.day, %s, %s, 1 FROM p CROSS JOIN d "
        f"WHERE p.n BETWEEN %s AND %s AND {draw('p.n', 'd.n', salt=0)} %% 100 < 85"
    )
    # A response per questionnaire every 14 days from the first, skipped about 15 % of the
    # time (so some of the programs' occurrences are missed); scores 0–21 (WHO-5 0–100).
    forms_rows = ", ".join(["(%s, %s, %s, %s)"] * len(QUESTIONNAIRES))
    form_values = [
        v
        for k, key in enumerate(QUESTIONNAIRES)
        for v in (k, key, forms[key], 101 if key == "who-5" else 22)
    ]
    responses = (
        f"{grid}, f (k, qkey, form_id, top) AS (VALUES {forms_rows}), "  # noqa: S608 - constants
        f"t (n, at) AS (VALUES {noon_rows}) "
        "INSERT INTO questionnaires_questionnaireresponse (id, organization_id, patient_id, "
        "questionnaire_id, questionnaire_key, answers, context, scoring_form, scores, "
        "primary_score, primary_band, has_safety_answer, safety_occurrence, submitted_at, "
        "submitted_on, submitted_by_id) "
        f"SELECT {new_uuid}, %s, p.id, f.form_id, f.qkey, {empty_object}, {empty_object}, "
        f"'standard', {empty_object}, {draw('p.n', 'd.n * 3 + f.k', salt=3)} %% f.top, '', "
        "FALSE, '', t.at, d.day, p.user_id FROM p CROSS JOIN d CROSS JOIN f "
        "JOIN t ON t.n = d.n WHERE p.n BETWEEN %s AND %s "
        f"AND {draw('p.n', 'd.n * 3 + f.k', salt=5)} %% 100 < 85"
    )
    with connection.cursor() as cursor:
        for first in range(1, PATIENTS + 1, CHUNK):
            last = min(first + CHUNK - 1, PATIENTS)
            cursor.execute(checkins, [org.pk, *days, org.pk, now, now, now, first, last])
            cursor.execute(responses, [org.pk, *days, *form_values, *noon, org.pk, first, last])
            progress(f"check-ins and questionnaires of patients {first}–{last} of {PATIENTS}")
        # Ketamine use reported in about 3 % of check-ins.
        cursor.execute(
            "INSERT INTO checkins_substanceuse (organization_id, patient_id, checkin_id, "  # noqa: S608 - constants
            "substance, used_on, amount, note, as_prescribed) SELECT organization_id, "
            "patient_id, id, 'ketamine', local_date, '', '', FALSE FROM checkins_checkin "
            f"WHERE organization_id = %s AND {draw('id', salt=4)} %% 100 < 3",
            [org.pk],
        )
        # A clinician's look at the questionnaires page of every tenth patient, half-way
        # through the year (the not-looked-at half of the list joins the audit trail).
        cursor.execute(
            "INSERT INTO audit_auditevent (organization_id, actor_id, actor_role, patient_id, "
            "action, object_type, object_id, at, request_id) SELECT %s, %s, %s, id, %s, %s, "
            "'', %s, '' FROM patients_patient WHERE organization_id = %s "
            "AND record_number LIKE %s",
            [org.pk, clinician.pk, Role.CLINICIAN, AuditAction.VIEW,
             AuditObject.QUESTIONNAIRE_RESPONSES, now - dt.timedelta(days=DAYS // 2), org.pk,
             "%0"],
        )  # fmt: skip
        counts = {}
        for table in ("checkins_checkin", "checkins_substanceuse",
                      "questionnaires_questionnaireresponse"):  # fmt: skip
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - constants
            counts[table.split("_", 1)[1]] = cursor.fetchone()[0]
    progress(f"rows: {counts}")
    return admin


def time_figures(admin: Any) -> dict[str, float]:
    """ms of each figure the dashboard computes, called directly for its 365-day scope
    (once each, after the timed requests warmed the caches): which figure is the limit."""
    from django.db.models import QuerySet

    from waymark.access import Actor
    from waymark.organizations.models import Membership
    from waymark.outcomes import (
        accountability,
        bam,
        engagement,
        measures,
        missed,
        retention,
        substance,
    )
    from waymark.outcomes.forms import OutcomesFilter
    from waymark.outcomes.scope import cohort

    membership = Membership.objects.select_related("organization").get(user=admin)
    filters = OutcomesFilter({"period": "365"}, organization=membership.organization)
    scope = filters.scope(Actor(user=admin, membership=membership))
    parts: dict[str, Callable[[], object]] = {
        "cohort": lambda: cohort(scope).count(),
        "days_abstinent": lambda: substance.days_abstinent(scope),
        "time_to_first_lapse": lambda: substance.time_to_first_lapse(scope, "admission"),
        "bam_trends": lambda: bam.bam_trends(scope),
        "alert_accountability": lambda: accountability.alert_accountability(scope),
        "measures": lambda: measures.measure_tables(scope),  # the three, one query
        "missed_list": lambda: missed.missed_counts(scope),
        "retention": lambda: retention.retention(scope),
        "adherence_by_week": lambda: engagement.adherence_by_week(scope),
        "reach_outs": lambda: engagement.reach_outs(scope),
        **{  # the other apps' engagement figures (meetings, sessions)
            name: partial(source, scope) for name, source in engagement._sources.as_dict().items()
        },
    }
    timings = {}
    for name, compute in parts.items():
        began = time.perf_counter()
        result = compute()
        if isinstance(result, QuerySet):
            list(result)
        timings[name] = round((time.perf_counter() - began) * 1000, 1)
        progress(f"{name}: {timings[name]} ms")
    return timings


def time_dashboard(admin: Any) -> dict[str, Any]:
    from django.test import Client

    from waymark.testing.second_factor import verify_session

    client = Client()
    client.force_login(admin)
    verify_session(client, admin)  # staff pages need the second factor (issue 12)
    with counted_sql() as captured:
        began = time.perf_counter()
        response = client.get("/outcomes/", {"period": "365"})
        first_ms = round((time.perf_counter() - began) * 1000, 1)
    assert response.status_code == 200, response.status_code
    load = load_average()
    timings = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        client.get("/outcomes/", {"period": "365"})
        timings.append((time.perf_counter() - began) * 1000)
    return {
        **timed_rounds(SIZE, timings, captured),
        "first_ms": first_ms,  # the first report fills the measures' roll-up (StayScores)
        "load": load,
        "figures_ms": time_figures(admin),
    }


if __name__ == "__main__":
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"  # the test client's
    build_and_time("outcomes", build, time_dashboard)
