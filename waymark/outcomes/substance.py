"""Issue 18 point 2: days abstinent per substance of concern, and time to first lapse.

Days abstinent (Timeline-Followback style percent days abstinent, from daily check-ins):
each cohort patient's *observed window* runs from the later of the period's start and
their first matching stay's start to the earlier of the period's end and their last
matching stay's end (an open stay: the period's end). Each day of that window is

- **with use** of the substance: a check-in reported it (a medicine taken as prescribed
  is not use);
- **abstinent**: a check-in that day reported no use of it;
- **unknown**: no check-in that day. Never counted as abstinent; reported on its own.

Time to first lapse: from the day a patient entered a program in the period (or was
discharged from care in it) to the first lapse (`scope.lapse_condition`) on or after it.
A patient with no lapse is censored at their last check-in in the period; a patient with
no check-in since is left out of the curve and counted on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.organizations.models import Program
from waymark.outcomes.checkin_days import bits_sql, blocks_join
from waymark.outcomes.scope import (
    Scope,
    WholeDays,
    cohort,
    goal_annotations,
    lapse_condition,
    matching_stays,
)
from waymark.outcomes.sql import bit_count_sql, day_number_sql, days_sql
from waymark.outcomes.survival import LogRank, Step, kaplan_meier, log_rank, median_time
from waymark.patients.models import Substance


@dataclass(frozen=True)
class Abstinence:
    substance: str
    label: str
    patients: int
    days: int
    abstinent: int
    used: int
    unknown: int

    def share(self, part: int) -> float | None:
        return round(100 * part / self.days, 1) if self.days else None

    @property
    def abstinent_of_known(self) -> float | None:
        known = self.abstinent + self.used
        return round(100 * self.abstinent / known, 1) if known else None


def _observed(scope: Scope) -> Any:
    """The cohort, each patient with their observed window (`first_day`, `last_day`) and
    `concern_<substance>`: 1 when the substance is one of their substances of concern."""
    mine = matching_stays(scope, of_outer_patient=True)
    first = mine.order_by("started_on").values("started_on")[:1]
    last = mine.annotate(until=Coalesce("ended_on", scope.end_value())).order_by("-until")
    concerns = {
        f"concern_{substance}": Case(
            When(substances__icontains=f'"{substance}"', then=Value(1)),  # a JSON list
            default=Value(0),
            output_field=IntegerField(),
        )
        for substance in Substance.values
    }
    return (
        cohort(scope)
        .annotate(
            first_day=Greatest(Subquery(first), scope.start_value()),
            last_day=Least(Subquery(last.values("until")[:1]), scope.end_value()),
            **concerns,
        )
        .order_by()
        .values("id", "first_day", "last_day", *concerns)
    )


def days_abstinent(scope: Scope) -> list[Abstinence]:
    """Per substance of concern in the cohort, in one query: `b`, each patient's window
    (materialized, computed once), `w` its first and last day numbers; `bits` the days
    with a check-in in it, from the roll-up (`checkin_days`: about 12 blocks of 32 days per
    patient-year, not 300 check-ins), counted per patient in `ck`; `us`, their uses in it;
    then the sums per substance over the patients for whom it is a concern."""
    base, params = _observed(scope).query.sql_with_params()
    used = ", ".join(
        f"SUM(CASE WHEN x.substance = '{s}' THEN 1 ELSE 0 END) AS used_{s}"
        for s in Substance.values
    )
    window = days_sql("b.last_day", "b.first_day")
    sums = ", ".join(
        f"SUM(b.concern_{s}), SUM(CASE WHEN b.concern_{s} = 1 THEN {window} + 1 ELSE 0 END), "
        f"SUM(CASE WHEN b.concern_{s} = 1 THEN COALESCE(ck.n, 0) ELSE 0 END), "
        f"SUM(CASE WHEN b.concern_{s} = 1 THEN COALESCE(us.used_{s}, 0) ELSE 0 END)"
        for s in Substance.values
    )
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH b AS MATERIALIZED ({base}), "  # noqa: S608
        f"w AS MATERIALIZED (SELECT b.id, {day_number_sql('b.first_day')} AS f, "
        f"{day_number_sql('b.last_day')} AS l FROM b), "
        f"bits AS MATERIALIZED (SELECT w.id, {bits_sql('r', 'w.f', 'w.l')} AS x FROM w "
        f"{blocks_join('r', 'w.id', 'w.f', 'w.l')} WHERE w.f <= w.l), "
        f"ck AS (SELECT bits.id, SUM({bit_count_sql('bits.x')}) AS n FROM bits GROUP BY bits.id), "
        f"us AS (SELECT b.id, {used} FROM b JOIN checkins_substanceuse x "
        "ON x.organization_id = %s AND x.patient_id = b.id AND x.as_prescribed = %s "
        "AND x.used_on >= b.first_day AND x.used_on <= b.last_day GROUP BY b.id) "
        f"SELECT {sums} FROM b LEFT JOIN ck ON ck.id = b.id LEFT JOIN us ON us.id = b.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, scope.organization_id, scope.organization_id, False])
        totals = cursor.fetchone()
    found = []
    for n, substance in enumerate(Substance.values):
        # PostgreSQL sums integers as numeric
        patients, days, checked, used_days = (int(v or 0) for v in totals[4 * n : 4 * n + 4])
        if not patients:
            continue
        found.append(
            Abstinence(
                substance,
                Substance(substance).label,
                patients,
                days,
                checked - used_days,
                used_days,
                days - checked,
            )
        )
    return found


@dataclass(frozen=True)
class Curve:
    program_id: int
    program: str
    pairs: list[tuple[int, bool]]
    steps: list[Step]

    @property
    def patients(self) -> int:
        return len(self.pairs)

    @property
    def lapses(self) -> int:
        return sum(event for _, event in self.pairs)

    @property
    def censored(self) -> int:
        return self.patients - self.lapses

    @property
    def median(self) -> int | None:
        return median_time(self.steps)


@dataclass(frozen=True)
class TimeToLapse:
    anchor: str
    curves: list[Curve]
    not_followed: int  # no check-in since the anchor day
    comparison: tuple[Curve, Curve, LogRank] | None


ANCHORS = {"admission": "entering a program", "discharge": "discharge from care"}


def time_to_first_lapse(scope: Scope, anchor: str = "admission") -> TimeToLapse:
    """Kaplan–Meier curves per program, the (time, event) pairs read in one query."""
    stays = matching_stays(scope)
    if anchor == "discharge":
        origin = "episode__discharged_on"
        stays = stays.filter(  # the stay that ended on its episode's discharge day
            ended_on=F(origin), ended_on__gte=scope.start, ended_on__lte=scope.end
        )
    else:
        origin = "started_on"
        stays = stays.filter(started_on__gte=scope.start, started_on__lte=scope.end)
    # The organization too, so each is an index range of (organization, patient, …) read
    # from its end: the last check-in is one index entry, not a year of check-in rows.
    lapse = SubstanceUse.objects.filter(
        lapse_condition(outer_goals=True), organization_id=scope.organization_id,
        patient_id=OuterRef("patient_id"),
        used_on__gte=OuterRef(origin), used_on__lte=scope.end,
    )  # fmt: skip
    checkins = CheckIn.objects.filter(
        organization_id=scope.organization_id,
        patient_id=OuterRef("patient_id"),
        local_date__gte=OuterRef(origin),
        local_date__lte=scope.end,
    )
    rows = (
        stays.annotate(**goal_annotations())
        .annotate(
            first_lapse=Subquery(lapse.order_by("used_on").values("used_on")[:1]),
            last_checkin=Subquery(checkins.order_by("-local_date").values("local_date")[:1]),
            to_lapse=WholeDays("first_lapse", origin),
            followed=WholeDays("last_checkin", origin),
        )
        .order_by()
        .values_list("program_id", "to_lapse", "followed")
    )
    pairs: dict[int, list[tuple[int, bool]]] = {}
    not_followed = 0
    for program_id, to_lapse, followed in rows:
        if to_lapse is not None:
            pairs.setdefault(program_id, []).append((to_lapse, True))
        elif followed is not None:
            pairs.setdefault(program_id, []).append((followed, False))
        else:
            not_followed += 1
    names = dict(Program.objects.filter(pk__in=pairs).values_list("pk", "name"))
    curves = sorted(
        (Curve(pk, names[pk], found, kaplan_meier(found)) for pk, found in pairs.items()),
        key=lambda curve: (-curve.patients, curve.program),
    )
    comparison = None
    if len(curves) >= 2:
        comparison = (curves[0], curves[1], log_rank(curves[0].pairs, curves[1].pairs))
    return TimeToLapse(anchor, curves, not_followed, comparison)
