"""Issue 18 point 5: engagement — check-in adherence per week of care, reach-outs answered.

- **Check-in adherence, week w of care**: over the matching program stays that started in
  the period and had run a whole week w by its end, the share of those 7 days with a
  check-in (days 7(w−1) to 7w−1 from the stay's start). One query for all weeks, over
  the roll-up of days with a check-in (`checkin_days`).
- **Reach-outs answered**: reach-outs patients sent in the period, and how many at least
  one supporter answered.

Meetings and sessions attended come from their own apps (meetings/engagement.py,
appointments/engagement.py), each registering a function `(scope) -> list[EngagementFigure]`
with `@register_engagement(name)` when the app loads; the dashboard shows every figure returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from waymark.outcomes.checkin_days import BLOCK_DAYS, bits_sql, blocks_join
from waymark.outcomes.scope import Scope, matching_stays
from waymark.outcomes.sql import bit_count_sql, day_number_sql, days_sql
from waymark.registries import Registry
from waymark.support.models import ReachOut, ReachOutRecipient

WEEKS_OF_CARE = 12


@dataclass(frozen=True)
class WeekAdherence:
    week: int
    stays: int
    days_with_checkin: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.days_with_checkin / (7 * self.stays), 1) if self.stays else None


@dataclass(frozen=True)
class EngagementFigure:
    """One engagement figure another app contributes: a label, a count and its N."""

    label: str
    count: int
    n: int
    definition: str


EngagementSource = Callable[[Scope], list[EngagementFigure]]
_sources: Registry[EngagementSource] = Registry()
register_engagement = _sources.register
"""Where meetings and sessions attended join the engagement figures (issue 18 point 5)."""


def adherence_by_week(scope: Scope) -> list[WeekAdherence]:
    """One query: `s`, the stays (materialized) with the days from their start to the
    period's end (`span`); `r`, each stay that has run a whole week, with its first day's
    number and the last day of its last whole week of the first WEEKS_OF_CARE (`last`);
    `bits`, for each block of the patient's check-in days (`checkin_days`) that overlaps
    those weeks and each week of care in the block, the week's days with a check-in
    (about 4 blocks per stay rather than 84 check-ins); their count per week; beside each
    week, the stays that have run it whole."""
    stays = matching_stays(scope).filter(started_on__gte=scope.start, started_on__lte=scope.end)
    base, params = stays.values("patient_id", "started_on").query.sql_with_params()
    top = WEEKS_OF_CARE
    whole = f"CASE WHEN (s.span + 1) / 7 > {top} THEN {top} ELSE (s.span + 1) / 7 END"
    weeks = " UNION ALL ".join(f"SELECT {w} AS week" for w in range(1, WEEKS_OF_CARE + 1))
    start, end = f"c.block * {BLOCK_DAYS}", f"(c.block * {BLOCK_DAYS} + {BLOCK_DAYS - 1})"
    week_from = f"CASE WHEN {start} > r.first THEN {start} ELSE r.first END"  # in the block
    week_to = f"CASE WHEN {end} < r.last THEN {end} ELSE r.last END"
    # Django's compiled SQL and constants only; the values are parameters.
    sql = (
        f"WITH b AS MATERIALIZED ({base}), "  # noqa: S608
        f"s AS MATERIALIZED (SELECT b.patient_id, b.started_on, "
        f"{days_sql('%s', 'b.started_on')} AS span FROM b), "
        f"r AS MATERIALIZED (SELECT s.patient_id, {day_number_sql('s.started_on')} AS first, "
        f"{day_number_sql('s.started_on')} + 7 * {whole} - 1 AS last FROM s WHERE s.span >= 6), "
        f"k AS ({weeks}), "
        f"bits AS MATERIALIZED (SELECT k.week, "
        f"{bits_sql('c', 'r.first + 7 * (k.week - 1)', 'r.first + 7 * k.week - 1')} AS x "
        f"FROM r {blocks_join('c', 'r.patient_id', 'r.first', 'r.last')} "
        f"JOIN k ON k.week >= ({week_from} - r.first) / 7 + 1 "
        f"AND k.week <= ({week_to} - r.first) / 7 + 1), "
        f"d AS (SELECT bits.week, SUM({bit_count_sql('bits.x')}) AS days FROM bits "
        "GROUP BY bits.week) "
        "SELECT k.week, (SELECT COUNT(*) FROM s WHERE s.span >= 7 * k.week - 1), d.days "
        "FROM k LEFT JOIN d ON d.week = k.week ORDER BY k.week"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, scope.end, scope.organization_id])
        rows: list[tuple[int, int, int | None]] = cursor.fetchall()
    # PostgreSQL sums bigints as numeric
    return [WeekAdherence(week, stays, int(days or 0)) for week, stays, days in rows if stays]


def reach_outs(scope: Scope) -> EngagementFigure:
    answered = ReachOutRecipient.objects.filter(reach_out=OuterRef("pk"), answered_at__isnull=False)
    in_cohort = matching_stays(scope).filter(patient_id=OuterRef("patient_id"))
    totals = (
        ReachOut.objects.filter(
            Exists(in_cohort),
            organization_id=scope.organization_id,
            created_at__date__gte=scope.start,
            created_at__date__lte=scope.end,
        )
        .annotate(answered=Exists(answered))
        .aggregate(n=Count("pk"), count=Count("pk", filter=Q(answered=True)))
    )
    return EngagementFigure(
        "Reach-outs answered by a supporter",
        totals["count"],
        totals["n"],
        "Reach-outs patients sent to their supporters in the period; answered when at least "
        "one supporter marked it answered.",
    )


def engagement(scope: Scope) -> dict[str, object]:
    figures = [reach_outs(scope)]
    for source in _sources:
        figures.extend(source(scope))
    return {"adherence": adherence_by_week(scope), "engagement_figures": figures}
