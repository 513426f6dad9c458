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

import uuid
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from django.db.models import (
    OuterRef,
    Subquery,
)

from waymark.accounts.models import User
from waymark.organizations.models import Program
from waymark.outcomes import stay_scores
from waymark.outcomes.scope import Scope, cohort, matching_stays
from waymark.outcomes.sql import dict_rows
from waymark.outcomes.stay_scores import WEEKS, baseline_sql, score_sql
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


def _scores_sql(scope: Scope, instruments: tuple[Instrument, ...]) -> tuple[str, list[Any]]:
    """The WITH clause of each cohort patient's scores for all the instruments, read from
    the roll-up (`stay_scores.refresh` first): `base` each cohort patient's program and
    clinician (materialized, computed once); `st` their matching stays; `r` each stay's
    StayScores, ranked per patient and questionnaire by its baseline code (a window
    function: the earliest baseline of the patient's matching stays, and that stay's
    follow-ups); `p` the scores per patient (`id`) and instrument, `baseline_score` and
    `score_<week>`. Its parameters with it."""
    base, base_params = (
        _groups(scope).order_by().values("id", "program_id", "clinician_id").query.sql_with_params()
    )
    stays, stay_params = (
        matching_stays(scope).order_by().values("id", "patient_id").query.sql_with_params()
    )
    kinds = " UNION ALL ".join(
        f"SELECT %s AS qkey, {instrument.reliable_change or 10} AS threshold, "
        f"CAST({instrument.remission_below or 'NULL'} AS INTEGER) AS below"
        for instrument in instruments
    )
    keys = [instrument.key for instrument in instruments]
    _, baseline_score = baseline_sql("r.first")
    nearest = ", ".join(f"r.nearest_{w}" for w in WEEKS)
    scores = ", ".join(f"{score_sql(f'r.nearest_{w}')} AS score_{w}" for w in WEEKS)
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH i AS MATERIALIZED ({kinds}), base AS MATERIALIZED ({base}), "  # noqa: S608
        f"st AS MATERIALIZED (SELECT s.id FROM base CROSS JOIN ({stays}) s "
        "WHERE s.patient_id = base.id), "
        f"r AS (SELECT r.patient_id, r.questionnaire_key AS qkey, r.first, {nearest}, "
        "ROW_NUMBER() OVER (PARTITION BY r.patient_id, r.questionnaire_key ORDER BY r.first) "
        "AS k FROM st JOIN outcomes_stayscores r ON r.organization_id = %s "
        "AND r.stay_id = st.id WHERE r.first IS NOT NULL), "
        "p AS MATERIALIZED (SELECT base.id, i.qkey, i.threshold, i.below, base.program_id, "
        f"base.clinician_id, {baseline_score} AS baseline_score, {scores} "
        "FROM base CROSS JOIN i "
        "LEFT JOIN r ON r.patient_id = base.id AND r.qkey = i.qkey AND r.k = 1) "
    )
    return sql, [*keys, *base_params, *stay_params, scope.organization_id]


def _group_sums(
    scope: Scope, instruments: tuple[Instrument, ...], *, refresh: bool
) -> list[dict[str, Any]]:
    """One query for all the instruments: `_scores_sql`, then the sums per instrument,
    program and primary clinician (ids or NULL), added up by `measure_tables` (one
    aggregate over the patients, not one per program and one per clinician)."""
    if refresh:
        stay_scores.refresh(scope, instruments)
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
    stay_scores.refresh(scope, (instrument,))
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
    scope: Scope, instruments: tuple[Instrument, ...] = INSTRUMENTS, *, refresh: bool = True
) -> list[MeasureTable]:
    """Each instrument's figures: in total, per program, per primary clinician. One query
    for them all: each patient's baseline and follow-ups are computed once, then summed per
    group (an aggregate over annotations would repeat every correlated subquery per sum);
    the sums per program and clinician are added up here into each program's, each
    clinician's and the total. `refresh=False`: the caller has just refreshed the roll-up
    (`stay_scores.refresh`) for these instruments."""
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
    for entry in _group_sums(scope, instruments, refresh=refresh):
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
