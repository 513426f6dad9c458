"""Issue 18 point 1: retention and transitions per program (and so level of care).

Counted over the matching program stays (scope.matching_stays), in one grouped query:

- **Admissions**: stays that started in the period.
- **Ended**: stays that ended in the period; their **mean days** in the program, and how
  many reached their **planned end** (of those that had one).
- **Discharged** (the stay ended with the episode of care) split into **completed** and
  **left early** (discharge destination "left before the planned discharge"); the rest of
  the ended stays **moved on** to another program within the same episode.
- **Stepped down within 7 days**: an ended stay followed, 0–7 days after it ended, by a
  stay of the same patient at a less intensive level of care (LevelOfCare's order, from
  withdrawal management to continuing recovery).
- **Readmitted within 30 / 90 days**: a discharge followed by a new episode of care
  admitted within 30 / 90 days. Only discharges at least 30 / 90 days before the end of
  the period count, so every one has had the whole time to be readmitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When

from waymark.organizations.models import LevelOfCare, Program
from waymark.outcomes.scope import Scope, days_between, matching_stays
from waymark.patients.models import DischargeDestination, Episode, ProgramStay

LEVEL_ORDER = {level: rank for rank, level in enumerate(LevelOfCare.values)}


def _level_rank(field: str) -> Case:
    return Case(
        *(When(**{field: level}, then=Value(rank)) for level, rank in LEVEL_ORDER.items()),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class RetentionRow:
    program: str
    level: str
    admissions: int
    ended: int
    mean_days: float | None
    with_plan: int
    reached_plan: int
    discharged: int
    left_early: int
    moved_on: int
    stepped_down: int
    discharged_30: int
    readmitted_30: int
    discharged_90: int
    readmitted_90: int

    @property
    def completed(self) -> int:
        return self.discharged - self.left_early


def _readmitted(days: int) -> Exists:
    return Exists(
        Episode.objects.filter(
            patient_id=OuterRef("patient_id"), admitted_on__gt=OuterRef("ended_on")
        )
        .annotate(gap=days_between("admitted_on", OuterRef("ended_on")))
        .filter(gap__lte=dt.timedelta(days=days))
    )


def retention(scope: Scope) -> list[RetentionRow]:
    """One row per program with a stay started or ended in the period."""
    next_stay = (
        ProgramStay.objects.filter(
            patient_id=OuterRef("patient_id"), started_on__gte=OuterRef("ended_on")
        )
        .annotate(
            gap=days_between("started_on", OuterRef("ended_on")), rank=_level_rank("program__level")
        )
        .filter(gap__lte=dt.timedelta(days=7), rank__gt=OuterRef("rank"))
    )
    started = Q(started_on__gte=scope.start, started_on__lte=scope.end)
    ended = Q(ended_on__gte=scope.start, ended_on__lte=scope.end)
    discharged = ended & Q(ended_on=F("episode__discharged_on"))
    old_enough = {days: Q(ended_on__lte=scope.end - dt.timedelta(days=days)) for days in (30, 90)}
    rows = (
        matching_stays(scope)
        .filter(started | ended)
        .annotate(
            rank=_level_rank("program__level"),
            length=days_between("ended_on", "started_on"),
            stepped=Exists(next_stay),
            back_30=_readmitted(30),
            back_90=_readmitted(90),
        )
        .values("program_id")
        .annotate(
            admissions=Count("pk", filter=started),
            ended=Count("pk", filter=ended),
            mean_length=Avg("length", filter=ended),
            with_plan=Count("pk", filter=ended & Q(planned_end_on__isnull=False)),
            reached_plan=Count("pk", filter=ended & Q(ended_on__gte=F("planned_end_on"))),
            discharged=Count("pk", filter=discharged),
            left_early=Count(
                "pk",
                filter=discharged
                & Q(episode__discharge_destination=DischargeDestination.LEFT_EARLY),
            ),
            stepped_down=Count("pk", filter=ended & Q(stepped=True)),
            discharged_30=Count("pk", filter=discharged & old_enough[30]),
            readmitted_30=Count("pk", filter=discharged & old_enough[30] & Q(back_30=True)),
            discharged_90=Count("pk", filter=discharged & old_enough[90]),
            readmitted_90=Count("pk", filter=discharged & old_enough[90] & Q(back_90=True)),
        )
        .order_by()
    )
    programs = {p.pk: p for p in Program.objects.filter(organization_id=scope.organization_id)}
    found = [_row(programs[entry["program_id"]], entry) for entry in rows]
    return sorted(found, key=lambda row: (LEVEL_ORDER.get(row.level, 99), row.program))


def _row(program: Program, entry: dict[str, Any]) -> RetentionRow:
    length: dt.timedelta | None = entry.pop("mean_length")
    mean_days = round(length.total_seconds() / 86400, 1) if length is not None else None
    entry.pop("program_id")
    return RetentionRow(
        program=program.name,
        level=program.level,
        mean_days=mean_days,
        moved_on=entry["ended"] - entry["discharged"],
        **entry,
    )
