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

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, Least

from waymark.checkins.models import CheckIn, SubstanceUse
from waymark.organizations.models import Program
from waymark.outcomes.scope import Scope, cohort, days_between, lapse_condition, matching_stays
from waymark.outcomes.survival import LogRank, Step, kaplan_meier, log_rank, median_time
from waymark.patients.models import Substance


def _count(queryset: Any) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef), 0 when none."""
    counted = queryset.order_by().values("patient_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


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


def days_abstinent(scope: Scope) -> list[Abstinence]:
    """Per substance of concern in the cohort, in one query."""
    mine = matching_stays(scope, of_outer_patient=True)
    first = mine.order_by("started_on").values("started_on")[:1]
    last = mine.annotate(until=Coalesce("ended_on", scope.end_value())).order_by("-until")
    patients = cohort(scope).annotate(
        first_day=Greatest(Subquery(first), scope.start_value()),
        last_day=Least(Subquery(last.values("until")[:1]), scope.end_value()),
        window=days_between("last_day", "first_day"),
        checked_in=_count(
            CheckIn.objects.filter(
                patient_id=OuterRef("pk"),
                local_date__gte=OuterRef("first_day"),
                local_date__lte=OuterRef("last_day"),
            )
        ),
    )
    sums: dict[str, Any] = {}
    for substance in Substance.values:
        concern = Q(substances__icontains=f'"{substance}"')  # a JSON list of values
        used = SubstanceUse.objects.filter(
            patient_id=OuterRef("pk"),
            substance=substance,
            as_prescribed=False,
            used_on__gte=OuterRef("first_day"),
            used_on__lte=OuterRef("last_day"),
        )
        patients = patients.annotate(**{f"used_{substance}": _count(used)})
        sums[f"{substance}_patients"] = Count("pk", filter=concern)
        sums[f"{substance}_window"] = Sum("window", filter=concern)
        sums[f"{substance}_checked"] = Sum("checked_in", filter=concern)
        sums[f"{substance}_used"] = Sum(f"used_{substance}", filter=concern)
    totals = patients.aggregate(**sums)
    found = []
    for substance in Substance.values:
        if not totals[f"{substance}_patients"]:
            continue
        window: dt.timedelta = totals[f"{substance}_window"]
        days = window.days + totals[f"{substance}_patients"]  # both ends of each window
        checked, used = totals[f"{substance}_checked"], totals[f"{substance}_used"]
        found.append(
            Abstinence(
                substance,
                Substance(substance).label,
                totals[f"{substance}_patients"],
                days,
                checked - used,
                used,
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
    lapse = SubstanceUse.objects.filter(
        lapse_condition(), patient_id=OuterRef("patient_id"),
        used_on__gte=OuterRef(origin), used_on__lte=scope.end,
    )  # fmt: skip
    checkins = CheckIn.objects.filter(
        patient_id=OuterRef("patient_id"),
        local_date__gte=OuterRef(origin),
        local_date__lte=scope.end,
    )
    rows = (
        stays.annotate(
            first_lapse=Subquery(lapse.order_by("used_on").values("used_on")[:1]),
            last_checkin=Subquery(checkins.order_by("-local_date").values("local_date")[:1]),
            to_lapse=days_between("first_lapse", origin),
            followed=days_between("last_checkin", origin),
        )
        .order_by()
        .values_list("program_id", "to_lapse", "followed")
    )
    pairs: dict[int, list[tuple[int, bool]]] = {}
    not_followed = 0
    for program_id, to_lapse, followed in rows:
        if to_lapse is not None:
            pairs.setdefault(program_id, []).append((to_lapse.days, True))
        elif followed is not None:
            pairs.setdefault(program_id, []).append((followed.days, False))
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
