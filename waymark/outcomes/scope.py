"""Who and when a dashboard counts: the filters, as querysets every figure starts from.

A patient is in the cohort when one of their program stays overlaps the period (and
matches the program, level of care and clinician chosen). Patients come from
`access.visible_patients`, so a clinician of a care-team-scoped organization counts only
their own patients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact

from waymark.outcomes.sql import days_sql
from waymark.patients.models import CareTeamMember, Patient, ProgramStay, Substance

DAY = dt.timedelta(days=1)
# Sort and hash memory for one report's statements on PostgreSQL (see `reporting`).
REPORT_WORK_MEM = "64MB"


@contextmanager
def reporting() -> Iterator[None]:
    """One transaction for a report's figures: they read one snapshot of the data, and on
    PostgreSQL their sorts and hashes get REPORT_WORK_MEM for this transaction only. The
    server's default (4 MB, sized for many small web requests) makes a year of 10,000
    patients' responses spill to temporary files: the missed/not-looked-at list took ~12 %
    longer (EXPLAIN ANALYZE, bench.outcomes' data, 3 interleaved rounds)."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)",
                [REPORT_WORK_MEM],
            )
            before = cursor.fetchone()[0]
        yield
        # Put back at once, not at the end of the transaction: the report may run inside a
        # longer one (a savepoint keeps SET LOCAL until the outer transaction ends).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters, resolved: one organization's visible patients over a period
    (both ends included)."""

    organization_id: int
    patients: QuerySet[Patient]
    start: dt.date
    end: dt.date
    program_id: int | None = None
    level: str = ""
    clinician_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def start_value(self) -> Value:
        return Value(self.start, output_field=models.DateField())

    def end_value(self) -> Value:
        return Value(self.end, output_field=models.DateField())


def matching_stays(scope: Scope, *, of_outer_patient: bool = False) -> QuerySet[ProgramStay]:
    """Program stays of visible patients in the chosen program / level / clinician's care
    (any time). `of_outer_patient`: the stays of the outer query's patient (`pk`), already
    one the viewer may see (a shallower subquery)."""
    if of_outer_patient:
        stays = ProgramStay.objects.filter(
            organization_id=scope.organization_id, patient_id=OuterRef("pk")
        )
    else:
        stays = ProgramStay.objects.filter(
            organization_id=scope.organization_id, patient__in=scope.patients.values("pk")
        )
    if scope.program_id is not None:
        stays = stays.filter(program_id=scope.program_id)
    if scope.level:
        stays = stays.filter(program__level=scope.level)
    if scope.clinician_id is not None:
        on_team = CareTeamMember.objects.filter(
            patient_id=OuterRef("patient_id"), clinician_id=scope.clinician_id
        )
        stays = stays.filter(Exists(on_team))
    return stays


def stays_in_period(scope: Scope) -> QuerySet[ProgramStay]:
    """Matching stays that overlap the period."""
    return matching_stays(scope).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start), started_on__lte=scope.end
    )


def cohort(scope: Scope) -> QuerySet[Patient]:
    """The patients the dashboard counts: a matching stay overlapping the period."""
    return scope.patients.filter(Exists(stays_in_period(scope).filter(patient_id=OuterRef("pk"))))


def days_between(later: Any, earlier: Any) -> ExpressionWrapper:
    """`later − earlier` for two dates or datetimes (field names or expressions), as a
    duration (portable SQL)."""
    later, earlier = (F(x) if isinstance(x, str) else x for x in (later, earlier))
    return ExpressionWrapper(later - earlier, output_field=DurationField())


class WholeDays(Func):
    """Whole days from the date `earlier` to the date `later` (`WholeDays(later, earlier)`),
    an integer computed by the database (`sql.days_sql`). `days_between` gives a duration,
    which SQLite works out per row in a Python function Django registers, and Python then
    converts: ~0.1 s of the time to first lapse's 0.3 s at 10,000 stays."""

    arity = 2
    output_field = IntegerField()

    def as_sql(  # the days_sql spelling, whatever template is asked for
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return days_sql(later, earlier), [*later_params, *earlier_params]


def goal_annotations(path: str = "patient__substance_goals") -> dict[str, KeyTextTransform]:
    """The patient's goal for each substance (`goal_<substance>`, a text), to annotate an
    outer query with for `lapse_condition(outer_goals=True)`."""
    return {
        f"goal_{substance}": KeyTextTransform(substance, path) for substance in Substance.values
    }


def lapse_condition(prefix: str = "", *, outer_goals: bool = False) -> Q:
    """A reported use that is a lapse (checkins.sobriety.lapses, in SQL): not a medicine
    taken as prescribed, of a substance the patient's goal is not to use at all.
    `outer_goals`: the goals are the outer query's `goal_annotations` (its row is the same
    patient's), so no use is joined to its patient again: the first lapse of 10,000 stays
    joined 93,000 uses to their patient on PostgreSQL (~0.2 s of 0.3 s)."""
    against_goal = Q()
    for substance in Substance.values:
        if outer_goals:
            goal: Exact[str] = Exact(OuterRef(f"goal_{substance}"), Value("abstinence"))
            against_goal |= Q(goal, **{f"{prefix}substance": substance})
            continue
        against_goal |= Q(
            **{
                f"{prefix}substance": substance,
                f"{prefix}patient__substance_goals__{substance}": "abstinence",
            }
        )
    return Q(**{f"{prefix}as_prescribed": False}) & against_goal
