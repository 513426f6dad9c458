"""The outcomes list of questionnaires missed / not looked at (issue 18 points 3 and 7).

`python -m bench.missed sqlite|postgres` builds a fresh database: one organization with
10,000 patients (BENCH_MISSED_PATIENTS; 200 with BENCH_QUICK=1) admitted a year ago
(BENCH_MISSED_DAYS) into its programs, each program asking PHQ-9 every 14 days, GAD-7 at
admission and WHO-5 every 28 days; about 80 % of occurrences answered, and a clinician's
look at the questionnaires page of half the patients half-way through. Then times
`missed_and_unreviewed` for a 365-day period as the clinician (ROUNDS runs), counting
the SQL statements. Prints JSON: p50 / max ms, queries, the counts found, load average.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from bench.common import (
    bench_size,
    build_and_time,
    bulk_in_care,
    counted_sql,
    load_average,
    timed_rounds,
)

SIZE = bench_size("MISSED")
PATIENTS, DAYS = SIZE
ROUNDS = 3
EVERY = {"phq-9": 14, "who-5": 28}


def ask_questionnaires(org: Any, programs: Any, start: dt.date) -> None:
    """Each program's schedules from `start`: PHQ-9 every 14 days, WHO-5 every 28 (each
    open 14 days), GAD-7 once at admission."""
    from waymark.questionnaires.models import Schedule

    for program in programs:
        for key, every in EVERY.items():
            Schedule.objects.create(
                organization=org, program=program, questionnaire_key=key, offset_days=every,
                repeat_every_days=every, window_days=14, active_from=start,
            )  # fmt: skip
        Schedule.objects.create(
            organization=org, program=program, questionnaire_key="gad-7", active_from=start
        )


def build(rng: random.Random) -> Any:
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.audit.models import AuditAction, AuditEvent, AuditObject
    from waymark.organizations.models import Membership, Role
    from waymark.organizations.services import create_default_programs, create_organization
    from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

    org = create_organization(name="Bench missed", slug="bench-missed", timezone="UTC")
    programs = create_default_programs(org)
    clinician = User.objects.create_user(username="bench-clinician", password="x" * 20)
    Membership.objects.create(organization=org, user=clinician, role=Role.CLINICIAN)
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS - 1)
    ask_questionnaires(org, programs, start)
    users, patients = bulk_in_care(
        org, PATIENTS, prefix="m-", start=start, program_of=lambda: rng.choice(programs)
    )
    keys = ["phq-9", "gad-7", "who-5"]
    current = Questionnaire.objects.filter(key__in=keys, is_current=True, organization=None)
    forms = {q.key: q for q in current}
    half = timezone.now() - dt.timedelta(days=DAYS // 2)
    looks = []
    for patient, user in zip(patients, users, strict=True):
        answers = []
        due = [("gad-7", 0)] + [(k, n) for k, e in EVERY.items() for n in range(e, DAYS, e)]
        for key, back in due:
            if rng.random() < 0.8:
                on = start + dt.timedelta(days=back + rng.randint(0, 3))
                at = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
                answers.append(QuestionnaireResponse(
                    organization=org, patient=patient, questionnaire=forms[key],
                    questionnaire_key=key, answers={}, scoring_form="standard", scores={},
                    primary_score=rng.randint(0, 20), submitted_at=at, submitted_on=on,
                    submitted_by=user,
                ))  # fmt: skip
        QuestionnaireResponse.objects.bulk_create(answers)
        if rng.random() < 0.5:
            looks.append(AuditEvent(
                organization=org, actor=clinician, actor_role=Role.CLINICIAN, patient=patient,
                action=AuditAction.VIEW, object_type=AuditObject.QUESTIONNAIRE_RESPONSES, at=half,
            ))  # fmt: skip
    AuditEvent.objects.bulk_create(looks)
    return clinician


def time_list(clinician: Any) -> dict[str, Any]:
    from django.db import transaction

    from waymark.access import Actor, visible_patients
    from waymark.organizations.services import current_membership
    from waymark.outcomes.missed import missed_and_unreviewed
    from waymark.outcomes.scope import Scope
    from waymark.patients.transitions import organization_today

    who = Actor(user=clinician, membership=current_membership(clinician))
    assert who.organization is not None
    end = organization_today(who.organization)
    scope = Scope(
        organization_id=who.organization.pk, patients=visible_patients(who),
        start=end - dt.timedelta(days=364), end=end,
    )  # fmt: skip
    timings: list[float] = []
    captured: list[str] = []
    report = None
    for n in range(ROUNDS + 1):
        with transaction.atomic():
            began = time.perf_counter()
            if n == 0:
                with counted_sql() as captured:
                    report = missed_and_unreviewed(who, scope)
            else:
                missed_and_unreviewed(who, scope)
                timings.append((time.perf_counter() - began) * 1000)
    assert report is not None
    total = report.total
    return {
        **timed_rounds(SIZE, timings, captured),
        "closed": total.closed,
        "missed": total.missed,
        "answered": total.completed,
        "not_looked_at": total.unreviewed,
        "patients_listed": report.listed_total,
        "load": load_average(),
    }


if __name__ == "__main__":
    build_and_time("missed", build, time_list)
