"""Issue 18 point 3: PHQ-9 and GAD-7 response, remission and reliable change; WHO-5 change.

Definitions (computed in SQL, one query for the three questionnaires):

- Only *standing* responses count (a corrected response is replaced by its correction).
- **Baseline**: the patient's first response submitted from 7 days before to 14 days
  after the start of one of their matching program stays. A patient without one has no
  baseline and is counted apart ("no baseline"), never in the rates.
- **Week 4, 8, 12**: the response nearest to baseline + 28, 56 or 84 days within ± 14 days
  of it (ties: the earlier one). No response in the window: not followed up at that week.
- **Response**: a fall of at least 50 % from baseline (baseline above 0).
- **Remission**: a score below 5 (PHQ-9: Kroenke, Spitzer & Williams 2001; GAD-7: Spitzer
  et al. 2006 — the "minimal" band).
- **Reliable improvement / deterioration**: a change of at least the reliable-change
  threshold: PHQ-9 5 points (Löwe et al., Med Care 2004, "Monitoring depression treatment
  outcomes with the PHQ-9"; NHS Talking Therapies uses 6), GAD-7 4 points (NHS Talking
  Therapies for anxiety and depression Manual, v6 2023, "reliable improvement").
- **WHO-5**: the mean change of the score (0–100) from baseline; 10 points is the change
  Topp et al. (Psychother Psychosom 2015) call clinically relevant.

The patient's program is that of their first matching stay; their clinician is the
primary clinician of their care team ("No primary clinician" when none).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    OuterRef,
    Subquery,
)

from waymark.accounts.models import User
from waymark.organizations.models import Program
from waymark.outcomes.scope import Scope, cohort, matching_stays
from waymark.outcomes.sql import (
    after_hash_sql,
    date_plus_sql,
    date_sql,
    dict_rows,
    number_sql,
    text_sql,
    time_text_sql,
)
from waymark.patients.models import CareTeamMember


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str
    reliable_change: int | None  # points; None: report the mean change instead
    remission_below: int | None


PHQ9 = Instrument("phq-9", "PHQ-9 (depression)", 5, 5)
GAD7 = Instrument("gad-7", "GAD-7 (anxiety)", 4, 5)
WHO5 = Instrument("who-5", "WHO-5 (wellbeing)", None, None)
INSTRUMENTS = (PHQ9, GAD7, WHO5)
WEEKS = (4, 8, 12)
WINDOW = dt.timedelta(days=14)
COUNTS = ("followed", "response", "remission", "improved", "deteriorated")


@dataclass
class WeekFigures:
    followed: int = 0
    response: int = 0
    remission: int = 0
    improved: int = 0
    deteriorated: int = 0
    change_total: float = 0.0

    @property
    def mean_change(self) -> float | None:
        return round(self.change_total / self.followed, 1) if self.followed else None

    def rate(self, name: str) -> float | None:
        return round(100 * getattr(self, name) / self.followed, 1) if self.followed else None


@dataclass
class MeasureRow:
    label: str
    patients: int = 0
    baseline: int = 0
    weeks: dict[int, WeekFigures] = field(default_factory=lambda: {w: WeekFigures() for w in WEEKS})

    @property
    def no_baseline(self) -> int:
        return self.patients - self.baseline

    def add(self, entry: dict[str, Any]) -> None:
        self.patients += entry["patients"]
        self.baseline += entry["baseline"]
        for week, figures in self.weeks.items():
            for name in COUNTS:
                setattr(figures, name, getattr(figures, name) + (entry[f"{name}_{week}"] or 0))
            figures.change_total += float(entry[f"change_{week}"] or 0)


@dataclass
class MeasureTable:
    instrument: Instrument
    total: MeasureRow
    by_program: list[MeasureRow]
    by_clinician: list[MeasureRow]

    @property
    def rows(self) -> list[MeasureRow]:
        return [self.total, *self.by_program, *self.by_clinician]


def _groups(scope: Scope) -> Any:
    """Per patient of the cohort: program (of the first matching stay), primary clinician."""
    mine = matching_stays(scope, of_outer_patient=True).order_by("started_on", "pk")
    primary = CareTeamMember.objects.filter(patient_id=OuterRef("pk"), is_primary=True)
    return cohort(scope).annotate(
        program_id=Subquery(mine.values("program_id")[:1]),
        clinician_id=Subquery(primary.order_by("added_at").values("clinician_id")[:1]),
    )


def _sums() -> str:
    """The SQL of one group's sums over the per-patient scores (`p`, with its instrument's
    `threshold` of reliable change and `below` of remission): plain numbers, so the same
    text runs on SQLite and PostgreSQL."""
    columns = ["COUNT(*) AS patients", "COUNT(p.baseline_score) AS baseline"]
    for week in WEEKS:
        score = f"p.score_{week}"
        followed = f"{score} IS NOT NULL AND p.baseline_score IS NOT NULL"
        counts = {
            "followed": followed,
            "response": f"{followed} AND p.baseline_score > 0"
            f" AND {score} <= p.baseline_score / 2.0",
            "remission": f"{followed} AND p.below IS NOT NULL AND {score} < p.below",
            "improved": f"{followed} AND {score} <= p.baseline_score - p.threshold",
            "deteriorated": f"{followed} AND {score} >= p.baseline_score + p.threshold",
        }
        columns += [
            f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS {n}_{week}" for n, c in counts.items()
        ]
        columns.append(
            f"SUM(CASE WHEN {followed} THEN {score} - p.baseline_score END) AS change_{week}"
        )
    return ", ".join(columns)


RESPONSES = "questionnaires_questionnaireresponse"


def _bounds_sql(week: int) -> str:
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


def _nearest_sql(week: int) -> str:
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


def _score_sql(column: str) -> str:
    """The score at the end of a `_nearest_sql` text, as a number."""
    return number_sql(after_hash_sql(column))


def _each_sql(outer: str, keys: str, columns: dict[str, str], where: str) -> str:
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


def _scores_sql(scope: Scope, instruments: tuple[Instrument, ...]) -> tuple[str, list[Any]]:
    """The WITH clause of each cohort patient's scores for all the instruments, each
    response read once per patient and instrument (an index range), no subquery per
    patient and week: `base`: each cohort patient's program and clinician (materialized,
    computed once); `st`: their matching stays; `bl`: each patient's baseline per
    instrument, the MIN of 'time submitted # day score' over their standing responses
    within -7..+14 days of a stay's start; `b`: one row per patient and instrument with its
    baseline; `f`: each week's nearest response, the MIN of its `_nearest_sql` code over the
    responses from the first week's window to the last one's; `p`: the scores per patient
    (`id`) and instrument, `baseline_score` and `score_<week>`. Its parameters with it."""
    base, base_params = (
        _groups(scope).order_by().values("id", "program_id", "clinician_id").query.sql_with_params()
    )
    stays, stay_params = (
        matching_stays(scope).order_by().values("patient_id", "started_on").query.sql_with_params()
    )
    kinds = " UNION ALL ".join(
        f"SELECT %s AS qkey, {instrument.reliable_change or 10} AS threshold, "
        f"CAST({instrument.remission_below or 'NULL'} AS INTEGER) AS below"
        for instrument in instruments
    )
    keys = [instrument.key for instrument in instruments]
    baseline = {
        "first": f"MIN({time_text_sql('q.submitted_at')} || '#' || "
        f"{text_sql('q.submitted_on')} || {text_sql('q.primary_score')})"
    }
    near_a_start = _each_sql(
        "st s CROSS JOIN i", "s.patient_id, i.qkey", baseline,
        "q.organization_id = %s AND q.patient_id = s.patient_id AND q.questionnaire_key = i.qkey "
        f"AND q.submitted_on >= {date_plus_sql('s.started_on', -7)} "
        f"AND q.submitted_on <= {date_plus_sql('s.started_on', 14)}",
    )  # fmt: skip
    follow_ups = _each_sql(
        "b", "b.id, b.qkey",
        {f"nearest_{w}": f"MIN({_nearest_sql(w)})" for w in WEEKS},
        "q.organization_id = %s AND q.patient_id = b.id AND q.questionnaire_key = b.qkey "
        f"AND q.submitted_on >= b.lo_{WEEKS[0]} AND q.submitted_on <= b.hi_{WEEKS[-1]}",
    )  # fmt: skip
    scores = ", ".join(f"{_score_sql(f'f.nearest_{w}')} AS score_{w}" for w in WEEKS)
    rest = after_hash_sql("e.first")  # the day, then the score
    baseline_on = date_sql(f"substr({rest}, 1, 10)")
    baseline_score = number_sql(f"substr({rest}, 11)")
    bounds = ", ".join(_bounds_sql(w) for w in WEEKS)
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH i AS MATERIALIZED ({kinds}), base AS MATERIALIZED ({base}), "  # noqa: S608
        f"st AS MATERIALIZED (SELECT s.patient_id, s.started_on FROM base CROSS JOIN ({stays}) s "
        "WHERE s.patient_id = base.id), "
        f"bl AS MATERIALIZED (SELECT e.patient_id, e.qkey, {baseline_on} AS baseline_on, "
        f"{baseline_score} AS baseline_score FROM (SELECT e.patient_id, "
        "e.qkey, MIN(e.first) AS first "
        f"FROM ({near_a_start}) e GROUP BY e.patient_id, e.qkey) e), "
        "b AS MATERIALIZED (SELECT base.id, base.program_id, base.clinician_id, i.qkey, "
        f"i.threshold, i.below, bl.baseline_on, bl.baseline_score, {bounds} "
        "FROM base CROSS JOIN i "
        "LEFT JOIN bl ON bl.patient_id = base.id AND bl.qkey = i.qkey), "
        f"f AS MATERIALIZED ({follow_ups}), "
        "p AS MATERIALIZED (SELECT b.id, b.qkey, b.threshold, b.below, b.program_id, "
        f"b.clinician_id, b.baseline_score, {scores} "
        "FROM b LEFT JOIN f ON f.id = b.id AND f.qkey = b.qkey) "
    )
    params = [
        *keys, *base_params, *stay_params, scope.organization_id, scope.organization_id
    ]  # fmt: skip
    return sql, params


def _group_sums(scope: Scope, instruments: tuple[Instrument, ...]) -> list[dict[str, Any]]:
    """One query for all the instruments: `_scores_sql`, then the sums per instrument,
    program and primary clinician (ids or NULL), added up by `measure_tables` (one
    aggregate over the patients, not one per program and one per clinician)."""
    scores, params = _scores_sql(scope, instruments)
    return dict_rows(
        f"{scores}SELECT p.qkey, p.program_id, p.clinician_id, {_sums()} FROM p "  # noqa: S608
        "GROUP BY p.qkey, p.threshold, p.below, p.program_id, p.clinician_id",
        params,
    )


def patient_scores(scope: Scope, instrument: Instrument) -> dict[uuid.UUID, dict[str, Any]]:
    """Each cohort patient's `baseline_score` and `score_<week>` for one instrument (the
    research export): the very scores the figures are summed from, so both follow one rule
    (the baseline, the nearest follow-up and its ties). Numbers as the ORM reads a score
    (`Decimal`; SQLite's to 15 significant digits, as Django converts a computed decimal)."""
    scores, params = _scores_sql(scope, (instrument,))
    columns = ", ".join(f"p.score_{week}" for week in WEEKS)
    sql = f"{scores}SELECT p.id, p.baseline_score, {columns} FROM p"  # noqa: S608
    rows = dict_rows(sql, params)
    return {
        uuid.UUID(str(row.pop("id"))): {name: _decimal(value) for name, value in row.items()}
        for row in rows
    }


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Context(prec=15).create_decimal_from_float(float(value))


def measure_tables(
    scope: Scope, instruments: tuple[Instrument, ...] = INSTRUMENTS
) -> list[MeasureTable]:
    """Each instrument's figures: in total, per program, per primary clinician. One query
    for them all: each patient's baseline and follow-ups are computed once, then summed per
    group (an aggregate over annotations would repeat every correlated subquery per sum);
    the sums per program and clinician are added up here into each program's, each
    clinician's and the total."""
    programs = dict(
        Program.objects.filter(organization_id=scope.organization_id).values_list("pk", "name")
    )
    clinicians = {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(
            care_team_roles__organization_id=scope.organization_id,
            care_team_roles__is_primary=True,
        ).distinct()
    }
    totals = {instrument.key: MeasureRow("All") for instrument in instruments}
    by_program: dict[str, dict[Any, MeasureRow]] = {i.key: {} for i in instruments}
    by_clinician: dict[str, dict[Any, MeasureRow]] = {i.key: {} for i in instruments}
    for entry in _group_sums(scope, instruments):
        key, program, clinician = entry["qkey"], entry["program_id"], entry["clinician_id"]
        totals[key].add(entry)
        if program not in by_program[key]:
            by_program[key][program] = MeasureRow(programs.get(program, "No program"))
        by_program[key][program].add(entry)
        if clinician not in by_clinician[key]:
            label = clinicians.get(clinician, "No primary clinician")
            by_clinician[key][clinician] = MeasureRow(label)
        by_clinician[key][clinician].add(entry)
    return [
        MeasureTable(
            instrument,
            totals[instrument.key],
            sorted(by_program[instrument.key].values(), key=lambda row: row.label),
            sorted(by_clinician[instrument.key].values(), key=lambda row: row.label),
        )
        for instrument in instruments
    ]


def measure_table(scope: Scope, instrument: Instrument) -> MeasureTable:
    """One instrument's figures (`measure_tables` of it alone)."""
    return measure_tables(scope, (instrument,))[0]
