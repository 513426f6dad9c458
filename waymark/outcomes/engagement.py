"""Issue 18 point 5: engagement — check-in adherence per week of care, reach-outs answered.

- **Check-in adherence, week w of care**: over the matching program stays that started in
  the period and had run a whole week w by its end, the share of those 7 days with a
  check-in (days 7(w−1) to 7w−1 from the stay's start). One query for all weeks.
- **Reach-outs answered**: reach-outs patients sent in the period, and how many at least
  one supporter answered.

Meetings and sessions attended come from their own apps (meetings/engagement.py,
appointments/engagement.py), each registering a function `(scope) -> list[EngagementFigure]`
with `@register_engagement(name)` when the app loads; the dashboard shows every figure returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from waymark.checkins.models import CheckIn
from waymark.outcomes.scope import Scope, days_between, matching_stays
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
    stays = matching_stays(scope).filter(started_on__gte=scope.start, started_on__lte=scope.end)
    sums: dict[str, Count | Sum] = {}
    for week in range(1, WEEKS_OF_CARE + 1):
        days = CheckIn.objects.filter(patient_id=OuterRef("patient_id")).annotate(
            day_of_care=days_between("local_date", OuterRef("started_on"))
        ).filter(
            day_of_care__gte=dt.timedelta(days=7 * (week - 1)),
            day_of_care__lte=dt.timedelta(days=7 * week - 1),
        )  # fmt: skip
        counted = days.order_by().values("patient_id").annotate(n=Count("*")).values("n")
        whole_week = Q(started_on__lte=scope.end - dt.timedelta(days=7 * week - 1))
        stays = stays.annotate(
            **{f"week_{week}": Coalesce(Subquery(counted, output_field=IntegerField()), 0)}
        )
        sums[f"stays_{week}"] = Count("pk", filter=whole_week)
        sums[f"days_{week}"] = Sum(f"week_{week}", filter=whole_week)
    totals = stays.aggregate(**sums)
    return [
        WeekAdherence(week, totals[f"stays_{week}"], totals[f"days_{week}"] or 0)
        for week in range(1, WEEKS_OF_CARE + 1)
        if totals[f"stays_{week}"]
    ]


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
