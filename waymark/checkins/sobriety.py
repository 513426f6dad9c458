"""Sobriety counters: days since last use, per substance, where a lapse never erases history.

Counting convention (the same as Patient.days_in_recovery): the day a count starts from
is day 0 — the recovery start date, or the day of the last reported use — so "days since
last use" is today minus that day. A reported use ends a run of days; the days before it
still count towards the total and the longest run.

Milestones: 1, 7, 14, 30, 60, 90 and 180 days, then every year on the calendar
anniversary (stored as 365 × years).

What counts as a lapse (the one definition: counters, the chart, the risk rules and the
check-in result page all use `is_lapse` or `lapses`):
- a use of a substance whose goal (`Patient.substance_goals`) is abstinence, and
- not a prescribed medicine taken as prescribed (`SubstanceUse.as_prescribed`, asked for
  opioids, benzodiazepines and stimulants only).
A use of a substance with a reduction goal, or with no goal at all (tobacco, unless the
patient chose to stop it; a substance that is not one of their concerns), is recorded
and shown to the care team with the check-in, but it is not a lapse: it raises no use
flag, ends no run of days and gets no counter. Counting days without a substance is the
measure of an abstinence goal, so each abstinence goal has a counter and nothing else does.

The patient owns their counters (`TrackedSubstance`, changed in `tracking.py`): a start
date of its own per substance (a correction, kept in `CounterStartChange`, never a lapse),
an optional amount a day for money saved, and whether to keep the counter at all.

Known and unknown days: a day counts as a day *without* only when the patient checked in
that day and reported no lapse of the substance. A day with no check-in is *unknown*: the
counter never claims it as clean. "Days since last use" is time since the last reported use
(or the start), shown next to how many of those days are known.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.db.models import QuerySet

from waymark.checkins.models import CheckIn, SubstanceUse, TrackedSubstance
from waymark.patients.models import Goal, Patient, Substance

MILESTONE_DAYS = (1, 7, 14, 30, 60, 90, 180)
DAYS_PER_YEAR_MILESTONE = 365
_MILESTONE_NAMES = {1: "1 day", 7: "1 week", 14: "2 weeks", 180: "6 months"}


def milestone_name(days: int) -> str:
    if days >= DAYS_PER_YEAR_MILESTONE and days % DAYS_PER_YEAR_MILESTONE == 0:
        years = days // DAYS_PER_YEAR_MILESTONE
        return "1 year" if years == 1 else f"{years} years"
    return _MILESTONE_NAMES.get(days, f"{days} days")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Streaks:
    counting_from: dt.date  # day 0 of the current run
    current: int
    longest: int
    total_abstinent: int


def streaks(start: dt.date, use_days: Iterable[dt.date], today: dt.date) -> Streaks:
    """Runs of days without use from `start` (day 0) to `today`, given the days of use."""
    if today < start:
        return Streaks(counting_from=start, current=0, longest=0, total_abstinent=0)
    uses = sorted({day for day in use_days if start < day <= today})
    anchors = [start, *uses]
    current = (today - anchors[-1]).days
    gaps = [(later - earlier).days - 1 for earlier, later in pairwise(anchors)]
    return Streaks(
        counting_from=anchors[-1],
        current=current,
        longest=max([current, *gaps]),
        total_abstinent=(today - start).days - len(uses),
    )


def milestones_reached(counting_from: dt.date, today: dt.date) -> list[tuple[int, dt.date]]:
    """(days, day reached) for every milestone of the run that started on `counting_from`."""
    reached = [
        (days, counting_from + dt.timedelta(days=days))
        for days in MILESTONE_DAYS
        if counting_from + dt.timedelta(days=days) <= today
    ]
    years = 1
    while (anniversary := add_years(counting_from, years)) <= today:
        reached.append((DAYS_PER_YEAR_MILESTONE * years, anniversary))
        years += 1
    return reached


def next_milestone(counting_from: dt.date, today: dt.date) -> tuple[int, dt.date]:
    for days in MILESTONE_DAYS:
        if counting_from + dt.timedelta(days=days) > today:
            return days, counting_from + dt.timedelta(days=days)
    years = 1
    while add_years(counting_from, years) <= today:
        years += 1
    return DAYS_PER_YEAR_MILESTONE * years, add_years(counting_from, years)


@dataclass(frozen=True)
class Counter:
    """One substance's counter, as the patient sees it."""

    substance: str
    started_on: dt.date
    streaks: Streaks
    next_milestone: tuple[int, dt.date]
    lapses: list[SubstanceUse] = field(default_factory=list)
    known: KnownDays | None = None  # days without and unknown since `started_on`
    amount_per_day: Decimal | None = None
    tracked: bool = True  # False: the patient stopped this counter (hidden from them)

    @property
    def days_without(self) -> int:
        return self.known.without if self.known else 0

    @property
    def days_unknown(self) -> int:
        return self.known.unknown if self.known else 0

    @property
    def money_saved(self) -> Decimal | None:
        """The amount a day times the days known to be without: never the unknown ones."""
        if self.amount_per_day is None:
            return None
        return self.amount_per_day * self.days_without

    @property
    def label(self) -> str:
        return Substance(self.substance).label

    @property
    def short_label(self) -> str:
        return self.label.split(" (")[0]

    @property
    def days_since_last_use(self) -> int:
        return self.streaks.current

    @property
    def last_use_on(self) -> dt.date | None:
        return self.lapses[0].used_on if self.lapses else None

    @property
    def next_milestone_name(self) -> str:
        return milestone_name(self.next_milestone[0])


@dataclass(frozen=True)
class KnownDays:
    """Of the days after a start (day 0) up to today: checked in without a lapse, checked
    in with one, and not checked in (unknown)."""

    without: int
    with_lapse: int
    unknown: int


def known_days(
    start: dt.date, checkin_days: Iterable[dt.date], lapse_days: Iterable[dt.date], today: dt.date
) -> KnownDays:
    """Split the days after `start` up to `today` into without, with a lapse, and unknown.
    A lapse reported for a day counts as known even if its check-in was made late."""
    if today <= start:
        return KnownDays(0, 0, 0)
    used = {day for day in lapse_days if start < day <= today}
    checked = {day for day in checkin_days if start < day <= today} | used
    return KnownDays(
        without=len(checked - used),
        with_lapse=len(used),
        unknown=(today - start).days - len(checked),
    )


CURRENCY_SYMBOLS = {"en-GB": "£", "en-US": "$"}


def currency_symbol(locale: str) -> str:
    """The currency symbol of an organization's locale (a plain number if unknown)."""
    return CURRENCY_SYMBOLS.get(locale, "")


def abstinence_goals(patient: Patient) -> frozenset[str]:
    """The substances the patient aims not to use at all: a use of one may be a lapse."""
    goals = patient.substance_goals if isinstance(patient.substance_goals, dict) else {}
    return frozenset(
        substance
        for substance, goal in goals.items()
        if goal == Goal.ABSTINENCE and substance in Substance.values
    )


def is_lapse(substance: str, *, as_prescribed: bool, goals: frozenset[str]) -> bool:
    """A use against an abstinence goal that was not a medicine taken as prescribed."""
    return substance in goals and not as_prescribed


def lapses(patient: Patient) -> QuerySet[SubstanceUse]:
    """The patient's reported uses that are lapses (see the module's docstring)."""
    return SubstanceUse.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        substance__in=abstinence_goals(patient),
        as_prescribed=False,
    )


def counting_start(patient: Patient) -> dt.date | None:
    """The patient's recovery start date, or else the day of their first check-in."""
    if patient.recovery_start_date is not None:
        return patient.recovery_start_date
    first = (
        CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
        .order_by("local_date")
        .values_list("local_date", flat=True)
        .first()
    )
    return first


def counter_settings(patient: Patient) -> dict[str, TrackedSubstance]:
    """The patient's own settings per substance (start date, amount a day, tracking)."""
    rows = TrackedSubstance.objects.filter(organization_id=patient.organization_id, patient=patient)
    return {row.substance: row for row in rows}


def checkin_days(patient: Patient, since: dt.date, today: dt.date) -> list[dt.date]:
    """The days after `since`, up to and including `today`, that have a check-in."""
    return list(
        CheckIn.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            local_date__gt=since,
            local_date__lte=today,
        ).values_list("local_date", flat=True)
    )


def counters_for(
    patient: Patient,
    today: dt.date,
    *,
    known_lapses: Iterable[SubstanceUse] | None = None,
    only_tracked: bool = True,
) -> list[Counter]:
    """A counter for each substance the patient aims not to use (an abstinence goal), in
    the order of Substance (ketamine first), counting lapses only: a medicine taken as
    prescribed ends no run. Empty until there is a day to count from. Each counts from the
    patient's own start date for it, if they set one, or else from `counting_start`.

    `known_lapses`: every lapse of the patient, newest first (`-used_on, substance`), when
    the caller has read them already (the patient record reads them with other uses).
    `only_tracked`: leave out the counters the patient stopped (False: every lapse is in
    the counters, for the chart)."""
    wanted = abstinence_goals(patient)
    if not wanted:
        return []
    own = counter_settings(patient)
    default_start = counting_start(patient)
    starts = {
        substance: own[substance].started_on if substance in own else default_start
        for substance in wanted
    }
    known_starts = [start for start in starts.values() if start is not None]
    if not known_starts:
        return []
    days_checked_in = checkin_days(patient, min(known_starts), today)
    by_substance: dict[str, list[SubstanceUse]] = defaultdict(list)
    found = (
        lapses(patient).order_by("-used_on", "substance") if known_lapses is None else known_lapses
    )
    for use in found:
        by_substance[use.substance].append(use)
    counters = []
    for substance in (value for value in Substance.values if value in wanted):
        start = starts[substance]
        setting = own.get(substance)
        tracked = setting is None or setting.tracking
        if start is None or (only_tracked and not tracked):
            continue
        its_lapses = by_substance.get(substance, [])
        lapse_days = [lapse.used_on for lapse in its_lapses]
        runs = streaks(start, lapse_days, today)
        counters.append(
            Counter(
                substance=substance,
                started_on=start,
                streaks=runs,
                lapses=its_lapses,
                next_milestone=next_milestone(runs.counting_from, today),
                known=known_days(start, days_checked_in, lapse_days, today),
                amount_per_day=setting.amount_per_day if setting else None,
                tracked=tracked,
            )
        )
    return counters
