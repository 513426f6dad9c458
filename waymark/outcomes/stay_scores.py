"""The roll-up behind measures.py's figures (`models.StayScores`): each matching stay's
baseline and follow-ups per questionnaire, recomputed at report time for the stays whose
start or whose patient's responses changed since (`refresh`), so a report reads one row per
stay and questionnaire instead of every response near a baseline (810,000 responses at
10,000 patients × a year: ~0.9 s of the dashboard's time on PostgreSQL and SQLite).

The rules are measures.py's (see its docstring); the SQL that applies them to responses
lives here, written once for both databases (outcomes/sql.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection

from waymark.outcomes.scope import Scope, cohort, matching_stays
from waymark.outcomes.sql import (
    after_hash_sql,
    date_plus_sql,
    date_sql,
    number_sql,
    text_sql,
    time_text_sql,
)

if TYPE_CHECKING:
    from waymark.outcomes.measures import Instrument

WEEKS = (4, 8, 12)  # the columns of StayScores
WINDOW = dt.timedelta(days=14)


RESPONSES = "questionnaires_questionnaireresponse"


def bounds_sql(week: int) -> str:
    """SQL columns of `b` for week `week`, from its baseline: the window's first and last
    day and the target day (`lo_<week>`, `hi_<week>`, `at_<week>`), and on SQLite the
    target's Julian day (`jd_<week>`): computed once per patient and instrument, so that
    each response compares plain columns (SQLite parsed dates ~20 times per response)."""
    target = 7 * week
    columns = [
        f"{date_plus_sql('bl.baseline_on', target - WINDOW.days)} AS lo_{week}",
        f"{date_plus_sql('bl.baseline_on', target + WINDOW.days)} AS hi_{week}",
        f"{date_plus_sql('bl.baseline_on', target)} AS at_{week}",
    ]
    if connection.vendor == "sqlite":
        columns.append(f"julianday(bl.baseline_on) + {target} AS jd_{week}")
    return ", ".join(columns)


def nearest_sql(week: int) -> str:
    """SQL for the code of `q` as a candidate for `b`'s week `week` (NULL outside ± WINDOW of
    baseline + `week` weeks): the distance coded `2 × |days off| (+ 1 when after)`, the time
    submitted, '#', the score. Its MIN per patient and instrument is the nearest response
    (ties: the earlier day, then the earlier submitted), found with no sort (a window
    function ranked every response)."""
    if connection.vendor == "sqlite":
        off = f"CAST(ABS(julianday(q.submitted_on) - b.jd_{week}) AS INTEGER)"
    else:
        off = f"ABS(q.submitted_on - b.at_{week})"
    code = f"2 * {off} + CASE WHEN q.submitted_on > b.at_{week} THEN 1 ELSE 0 END"
    if connection.vendor == "sqlite":
        code = f"printf('%%02d', {code})"
    else:
        code = f"lpad(({code})::text, 2, '0')"
    key = f"{code} || {time_text_sql('q.submitted_at')} || '#' || {text_sql('q.primary_score')}"
    return (
        f"CASE WHEN q.submitted_on >= b.lo_{week} AND q.submitted_on <= b.hi_{week} THEN {key} END"
    )


def score_sql(column: str) -> str:
    """The score at the end of a `nearest_sql` text, as a number."""
    return number_sql(after_hash_sql(column))


def each_sql(outer: str, keys: str, columns: dict[str, str], where: str) -> str:
    """SQL: for each row of `outer` (its columns `keys`), the aggregates `columns` (name:
    SQL) over the standing responses `q` where `where`, read by an index range per row: on
    PostgreSQL a LATERAL subquery (its planner would rather scan every response, which
    takes longer); on SQLite one correlated subquery per row, its aggregates in one JSON
    array (a CROSS JOIN grouped by the outer row sorted every response read, ~0.2 s of
    0.9 s at 10,000 patients × a year)."""
    # Not among the corrected ones: a list built once, not a LEFT JOIN on corrections,
    # which SQLite ran as a scan of every response for each one joined (its statistics see
    # `corrects_id` as almost all NULL): 225 s for one table at 2,000 patients × 365 days.
    standing = (
        "q.id NOT IN (SELECT c.corrects_id FROM questionnaires_questionnaireresponse c "
        "WHERE c.corrects_id IS NOT NULL)"
    )
    if connection.vendor == "sqlite":
        found = ", ".join(columns.values())
        names = ", ".join(key.split(".")[-1] for key in keys.split(", "))
        parts = ", ".join(
            f"json_extract(found, '$[{n}]') AS {name}" for n, name in enumerate(columns)
        )
        # Materialized, so the subquery runs once per row, not once per json_extract.
        return (
            f"WITH x AS MATERIALIZED (SELECT {keys}, (SELECT json_array({found}) "  # noqa: S608
            f"FROM {RESPONSES} q WHERE {where} AND {standing}) AS found FROM {outer}) "
            f"SELECT {names}, {parts} FROM x"
        )
    found = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return (
        f"SELECT {keys}, x.* FROM {outer} CROSS JOIN LATERAL (SELECT {found} "  # noqa: S608
        f"FROM {RESPONSES} q WHERE {where} AND {standing}) x"
    )


def baseline_sql(column: str) -> tuple[str, str]:
    """The day and the score of a baseline code ('time#day score', `StayScores.first`)."""
    rest = after_hash_sql(column)  # the day, then the score
    return date_sql(f"substr({rest}, 1, 10)"), number_sql(f"substr({rest}, 11)")


def refresh(scope: Scope, instruments: tuple[Instrument, ...]) -> None:
    """Recompute the StayScores of the cohort's matching stays that are missing or stale,
    in one statement: `i` the questionnaires; `st` the stays; `s` the stays ×
    questionnaires whose row is missing or was made from another start or another
    `ResponseTally` (one row per patient and questionnaire, read by its unique index: the
    database bumps it whenever a response is added or deleted); `e` each one's baseline,
    the MIN of 'time submitted # day score' over the standing responses within -7..+14 days
    of the stay's start; `b` its day and each week's window; `f` each week's nearest
    response, the MIN of its `nearest_sql` code, beside all of `b`'s own (a join of `f`
    back to `b` was a scan of `f` per row on SQLite); written over the old row."""
    stays, stay_params = (
        matching_stays(scope)
        .filter(patient_id__in=cohort(scope).values("pk"))
        .order_by()
        .values("id", "patient_id", "started_on")
        .query.sql_with_params()
    )
    keys = [instrument.key for instrument in instruments]
    kinds = " UNION ALL ".join("SELECT %s AS qkey" for _ in keys)
    near_a_start = each_sql(
        "s", "s.id, s.patient_id, s.started_on, s.qkey, s.n",
        {
            "first": f"MIN({time_text_sql('q.submitted_at')} || '#' || "
            f"{text_sql('q.submitted_on')} || {text_sql('q.primary_score')})"
        },
        "q.organization_id = %s AND q.patient_id = s.patient_id AND q.questionnaire_key = s.qkey "
        f"AND q.submitted_on >= {date_plus_sql('s.started_on', -7)} "
        f"AND q.submitted_on <= {date_plus_sql('s.started_on', 14)}",
    )  # fmt: skip
    follow_ups = each_sql(
        "b", "b.id, b.patient_id, b.qkey, b.started_on, b.n, b.first",
        {f"nearest_{w}": f"MIN({nearest_sql(w)})" for w in WEEKS},
        "q.organization_id = %s AND q.patient_id = b.patient_id AND q.questionnaire_key = b.qkey "
        f"AND q.submitted_on >= b.lo_{WEEKS[0]} AND q.submitted_on <= b.hi_{WEEKS[-1]}",
    )  # fmt: skip
    baseline_on, _ = baseline_sql("e.first")
    nearest = ", ".join(f"nearest_{w}" for w in WEEKS)
    changed = ", ".join(
        f"{column} = excluded.{column}"
        for column in ("started_on", "tally", "first", *nearest.split(", "))
    )
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH i AS MATERIALIZED ({kinds}), st AS MATERIALIZED ({stays}), "  # noqa: S608
        "s AS MATERIALIZED (SELECT st.id, st.patient_id, st.started_on, i.qkey, "
        "COALESCE(t.changes, 0) AS n FROM st CROSS JOIN i "
        "LEFT JOIN outcomes_responsetally t ON t.organization_id = %s "
        "AND t.patient_id = st.patient_id AND t.questionnaire_key = i.qkey "
        "LEFT JOIN outcomes_stayscores r ON r.organization_id = %s AND r.stay_id = st.id "
        "AND r.questionnaire_key = i.qkey WHERE r.id IS NULL OR r.started_on <> st.started_on "
        "OR r.tally <> COALESCE(t.changes, 0)), "
        f"e AS MATERIALIZED ({near_a_start}), "
        f"bl AS MATERIALIZED (SELECT e.*, {baseline_on} AS baseline_on FROM e), "
        f"b AS MATERIALIZED (SELECT bl.*, {', '.join(bounds_sql(w) for w in WEEKS)} FROM bl), "
        f"f AS MATERIALIZED ({follow_ups}) "
        "INSERT INTO outcomes_stayscores (organization_id, stay_id, patient_id, "
        f"questionnaire_key, started_on, tally, first, {nearest}) "
        "SELECT %s, f.id, f.patient_id, f.qkey, f.started_on, f.n, f.first, "
        f"{', '.join(f'f.nearest_{w}' for w in WEEKS)} FROM f WHERE 1 = 1 "
        "ON CONFLICT (organization_id, stay_id, questionnaire_key) "
        f"DO UPDATE SET {changed}"
    )
    org = scope.organization_id
    params = [*keys, *stay_params, org, org, org, org, org]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
