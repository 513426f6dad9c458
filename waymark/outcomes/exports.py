"""Issue 18 point 6: CSV exports of the dashboard's tables and a de-identified patient file.

- Every cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a
  carriage return) is prefixed with ' (OWASP, "CSV Injection").
- Small numbers are suppressed: a count from 1 to 10 is written "<11", and a row whose N
  is under 11 has every figure suppressed, so that a few people cannot be recognised
  (the CMS cell-size suppression policy: no cell of 1–10).
- The research file has one row per patient: no name, a random id that changes with each
  download, and every date moved by the same random number of days (−180 to +180) for
  that patient, so intervals stay true. Each patient in it is audited as an export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery

from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.outcomes import stay_scores
from waymark.outcomes.lanes import over_one_snapshot
from waymark.outcomes.measures import INSTRUMENTS, PHQ9, WEEKS, measure_tables, patient_scores
from waymark.outcomes.retention import retention
from waymark.outcomes.scope import Scope, cohort, lapse_condition, matching_stays
from waymark.outcomes.substance import days_abstinent, time_to_first_lapse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SMALL = 11
SUPPRESSED = "<11"
SHIFT_DAYS = 180


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def suppress(row: Sequence[object], *, n: int, counts: Iterable[int]) -> list[object]:
    """The row with small numbers hidden: all figures when N < 11, else each count 1–10."""
    if n < SMALL:
        return [row[0], *([SUPPRESSED] * (len(row) - 1))]
    hidden = set(counts)
    return [
        SUPPRESSED if i in hidden and isinstance(v, int) and 0 < v < SMALL else v
        for i, v in enumerate(row)
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


Table = tuple[list[str], list[list[object]]]


def _retention(scope: Scope, anchor: str) -> Table:
    header = [
        "program",
        "admissions",
        "stays_ended",
        "mean_days",
        "completed",
        "left_early",
        "moved_on",
        "stepped_down_7d",
        "readmitted_30d",
        "discharged_30d",
        "readmitted_90d",
        "discharged_90d",
    ]
    rows = []
    for r in retention(scope):
        row = [
            r.program,
            r.admissions,
            r.ended,
            r.mean_days,
            r.completed,
            r.left_early,
            r.moved_on,
            r.stepped_down,
            r.readmitted_30,
            r.discharged_30,
            r.readmitted_90,
            r.discharged_90,
        ]
        rows.append(suppress(row, n=max(r.admissions, r.ended), counts=range(1, len(row))))
    return header, rows


def _abstinence(scope: Scope, anchor: str) -> Table:
    header = [
        "substance",
        "patients",
        "observed_days",
        "abstinent_days",
        "use_days",
        "unknown_days",
        "percent_abstinent_of_known",
    ]
    rows = [
        suppress(
            [a.label, a.patients, a.days, a.abstinent, a.used, a.unknown, a.abstinent_of_known],
            n=a.patients,
            counts=[1],
        )
        for a in days_abstinent(scope)
    ]
    return header, rows


def _lapses(scope: Scope, anchor: str) -> Table:
    header = [
        "program",
        "patients",
        "day",
        "at_risk",
        "lapses",
        "censored",
        "survival",
        "lower_95",
        "upper_95",
    ]
    rows = []
    for curve in time_to_first_lapse(scope, anchor).curves:
        for s in curve.steps:
            row = [
                curve.program,
                curve.patients,
                s.time,
                s.at_risk,
                s.events,
                s.censored,
                round(s.survival, 4),
                round(s.lower, 4),
                round(s.upper, 4),
            ]
            rows.append(suppress(row, n=curve.patients, counts=[3, 4, 5]))
    return header, rows


def _measures(scope: Scope, anchor: str) -> Table:
    header = ["questionnaire", "group", "patients", "with_baseline"]
    for week in WEEKS:
        header += [
            f"week{week}_{name}"
            for name in ("n", "response", "remission", "improved", "deteriorated", "mean_change")
        ]
    rows = []
    for table in measure_tables(scope, refresh=False):  # refreshed first: table_rows
        for r in table.rows:
            row: list[object] = [table.instrument.key, r.label, r.patients, r.baseline]
            for f in r.weeks.values():
                row += [
                    f.followed,
                    f.response,
                    f.remission,
                    f.improved,
                    f.deteriorated,
                    f.mean_change,
                ]
            rows.append(suppress(row, n=r.baseline, counts=range(2, len(row))))
    return header, rows


def _alerts(scope: Scope, anchor: str) -> Table:
    from waymark.outcomes.accountability import alert_accountability

    header = [
        "program",
        "severity",
        "raised",
        "acknowledged",
        "ack_median_minutes",
        "ack_p90_minutes",
        "resolved",
        "resolve_median_minutes",
        "resolve_p90_minutes",
        "escalated",
        "resolved_without_note",
    ]

    def minutes(value: dt.timedelta | None) -> int | None:
        return None if value is None else int(value.total_seconds() // 60)

    rows: list[list[object]] = [
        [
            r.program or "Whole organization",
            r.severity_label,
            r.raised,
            r.acknowledged,
            minutes(r.to_acknowledge.get(50)),
            minutes(r.to_acknowledge.get(90)),
            r.resolved,
            minutes(r.to_resolve.get(50)),
            minutes(r.to_resolve.get(90)),
            r.escalated,
            r.resolved_without_note,
        ]
        for r in alert_accountability(scope)
    ]  # alerts are about the service, not people: counts are not suppressed
    return header, rows


def _missed(scope: Scope, anchor: str) -> Table:
    from waymark.outcomes.missed import counts_table

    return counts_table(scope, anchor)


TABLES: dict[str, Callable[[Scope, str], Table]] = {
    "retention": _retention,
    "abstinence": _abstinence,
    "lapses": _lapses,
    "questionnaires": _measures,
    "alerts": _alerts,
    "missed": _missed,
}


def table_rows(scope: Scope, table: str, anchor: str) -> Table:
    """One of TABLES for its CSV, read as the page reads its figures (`lanes`: one
    snapshot, read only; on SQLite without holding the write lock, which the export's
    one IMMEDIATE transaction held, check-ins waiting, for as long as it ran); the
    measures' roll-up refreshed first for the measures' table."""
    rollup = table == "questionnaires"
    prepare = partial(stay_scores.refresh, scope, INSTRUMENTS) if rollup else None
    return over_one_snapshot({table: partial(TABLES[table], scope, anchor)}, prepare=prepare)[table]


def research_rows(scope: Scope) -> tuple[list[str], list[list[object]], list[Any]]:
    """The de-identified patient file: header, rows, and the patients in it (to audit).
    PHQ-9 scores are the dashboard's own (`patient_scores`), so the file follows its rules."""
    mine = matching_stays(scope, of_outer_patient=True)
    first = mine.order_by("started_on", "pk")
    in_period = Q(local_date__gte=scope.start, local_date__lte=scope.end)
    phq9 = patient_scores(scope, PHQ9)
    patients = cohort(scope).annotate(
        program=Subquery(first.values("program__name")[:1]),
        level=Subquery(first.values("program__level")[:1]),
        admitted_on=Subquery(first.values("started_on")[:1]),
        last_end=Subquery(mine.order_by("-started_on").values("ended_on")[:1]),
        checkin_days=Subquery(
            CheckIn.objects.filter(in_period, patient_id=OuterRef("pk"))
            .order_by()
            .values("patient_id")
            .annotate(n=Count("*"))
            .values("n")
        ),
        first_lapse=Subquery(
            SubstanceUse.objects.filter(
                lapse_condition(),
                patient_id=OuterRef("pk"),
                used_on__gte=scope.start,
                used_on__lte=scope.end,
            )
            .order_by("used_on")
            .values("used_on")[:1]
        ),
    )
    header = [
        "research_id",
        "program",
        "level_of_care",
        "admitted_on_shifted",
        "stay_ended_on_shifted",
        "checkin_days_in_period",
        "first_lapse_shifted",
        "phq9_baseline",
        "phq9_week12",
    ]
    rows, people = [], []
    for found in patients.only("pk", "organization_id", "user_id"):
        shift = dt.timedelta(days=secrets.randbelow(2 * SHIFT_DAYS + 1) - SHIFT_DAYS)
        scores = phq9.get(found.pk, {})

        def moved(day: dt.date | None, shift: dt.timedelta = shift) -> str:
            return "" if day is None else (day + shift).isoformat()

        rows.append(
            [
                uuid.uuid4().hex[:12],
                found.program,
                found.level,
                moved(found.admitted_on),
                moved(found.last_end),
                found.checkin_days or 0,
                moved(found.first_lapse),
                scores.get("baseline_score"),
                scores.get("score_12"),
            ]
        )
        people.append(found)
    return header, rows, people
