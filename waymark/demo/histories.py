"""Believable care histories for demo patients, planned as plain data before any row is written.

A patient's plan says where they are now (their *stage*: a level of care, or
discharged) and how they got there: e.g. an aftercare patient went detox →
residential (30–90 days) → outpatient → aftercare. Lengths follow the default
programs' planned lengths (organizations.services.DEFAULT_PROGRAMS). Some
patients were admitted before and left early; some had a lapse, so their
recovery counts from later than their admission. Everything is drawn from the
`random.Random` passed in, so one seed always gives the same histories.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from waymark.demo.names import SURNAMES
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import DischargeDestination, Substance

DISCHARGED = "discharged"

# Days a completed stay lasted, per level of care.
COMPLETED_DAYS: dict[str, tuple[int, int]] = {
    LevelOfCare.DETOX: (4, 10),
    LevelOfCare.RESIDENTIAL: (30, 90),
    LevelOfCare.DAY: (20, 40),
    LevelOfCare.INTENSIVE_OUTPATIENT: (30, 90),
    LevelOfCare.OUTPATIENT: (45, 150),
    LevelOfCare.AFTERCARE: (60, 180),
    LevelOfCare.CONTINUING: (60, 365),
}
# Days so far in the stay a patient is in today.
CURRENT_DAYS: dict[str, tuple[int, int]] = {
    LevelOfCare.DETOX: (1, 6),
    LevelOfCare.RESIDENTIAL: (3, 85),
    LevelOfCare.DAY: (2, 35),
    LevelOfCare.INTENSIVE_OUTPATIENT: (3, 80),
    LevelOfCare.OUTPATIENT: (5, 120),
    LevelOfCare.AFTERCARE: (5, 150),
    LevelOfCare.CONTINUING: (10, 300),
}
# Days in the last stay of someone who left before the planned discharge.
LEFT_EARLY_DAYS = (1, 12)

D, R, DAY, IOP, OP, AC, CR = (
    LevelOfCare.DETOX,
    LevelOfCare.RESIDENTIAL,
    LevelOfCare.DAY,
    LevelOfCare.INTENSIVE_OUTPATIENT,
    LevelOfCare.OUTPATIENT,
    LevelOfCare.AFTERCARE,
    LevelOfCare.CONTINUING,
)
# How people commonly reach each stage; the last level is where they are now.
PATHWAYS: dict[str, tuple[tuple[str, ...], ...]] = {
    D: ((D,),),
    R: ((D, R), (D, R), (R,)),
    DAY: ((D, R, DAY), (D, DAY)),
    IOP: ((D, R, IOP), (D, IOP), (IOP,)),
    OP: ((D, R, OP), (D, R, IOP, OP), (OP,)),
    AC: ((D, R, OP, AC), (D, R, DAY, AC)),
    CR: ((D, R, IOP, OP, CR),),
}
# Finished episodes: the levels passed through, and where the person went.
DISCHARGE_PATHS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((D, R, OP), DischargeDestination.HOME),
    ((D, R, IOP), DischargeDestination.HOME),
    ((D, R), DischargeDestination.STEP_DOWN),
    ((D, R), DischargeDestination.LEFT_EARLY),
    ((D,), DischargeDestination.LEFT_EARLY),
    ((D,), DischargeDestination.HOSPITAL),
    ((R, IOP), DischargeDestination.OTHER_PROVIDER),
)
# Besides ketamine (always), how often each substance is also a concern.
CO_USED: tuple[tuple[str, float], ...] = (
    (Substance.ALCOHOL, 0.45),
    (Substance.TOBACCO, 0.5),
    (Substance.STIMULANTS, 0.25),
    (Substance.BENZODIAZEPINES, 0.15),
)
READMISSION_CHANCE = 0.15
LAPSE_CHANCE = 0.2
SECOND_CLINICIAN_CHANCE = 0.25


@dataclass(frozen=True)
class StayPlan:
    level: str
    started_on: dt.date


@dataclass(frozen=True)
class EpisodePlan:
    stays: tuple[StayPlan, ...]
    discharged_on: dt.date | None = None
    destination: str = ""

    @property
    def admitted_on(self) -> dt.date:
        return self.stays[0].started_on


@dataclass(frozen=True)
class PatientPlan:
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    substances: tuple[str, ...]
    stage: str
    episodes: tuple[EpisodePlan, ...]  # oldest first; only the last may be open
    recovery_start_date: dt.date | None
    primary_clinician: int  # index into the organization's clinicians
    second_clinician: bool

    @property
    def username(self) -> str:
        return f"{self.first_name}.{self.last_name[0]}".lower()


def _days(rng: random.Random, span: tuple[int, int]) -> int:
    return rng.randint(*span)


def plan_episode(
    rng: random.Random, levels: tuple[str, ...], *, ends_on: dt.date, last_stay_days: int
) -> tuple[StayPlan, ...]:
    """Stays through `levels`, back to back, the last one lasting until `ends_on`."""
    lengths = [_days(rng, COMPLETED_DAYS[level]) for level in levels[:-1]] + [last_stay_days]
    started_on = ends_on - dt.timedelta(days=sum(lengths))
    stays = []
    for level, length in zip(levels, lengths, strict=True):
        stays.append(StayPlan(level, started_on))
        started_on += dt.timedelta(days=length)
    return tuple(stays)


def current_episode(rng: random.Random, stage: str, today: dt.date) -> EpisodePlan:
    levels = rng.choice(PATHWAYS[stage])
    days = _days(rng, CURRENT_DAYS[levels[-1]])
    return EpisodePlan(plan_episode(rng, levels, ends_on=today, last_stay_days=days))


def finished_episode(rng: random.Random, ends_on: dt.date) -> EpisodePlan:
    levels, destination = rng.choice(DISCHARGE_PATHS)
    left_early = destination == DischargeDestination.LEFT_EARLY
    days = _days(rng, LEFT_EARLY_DAYS if left_early else COMPLETED_DAYS[levels[-1]])
    stays = plan_episode(rng, levels, ends_on=ends_on, last_stay_days=days)
    return EpisodePlan(stays, discharged_on=ends_on, destination=destination)


def earlier_episode(rng: random.Random, before: dt.date) -> EpisodePlan:
    """A past admission that ended with the person leaving early, months before `before`."""
    ends_on = before - dt.timedelta(days=rng.randint(30, 240))
    levels = rng.choice(((D,), (D, R)))
    stays = plan_episode(rng, levels, ends_on=ends_on, last_stay_days=_days(rng, LEFT_EARLY_DAYS))
    return EpisodePlan(stays, discharged_on=ends_on, destination=DischargeDestination.LEFT_EARLY)


def recovery_start(rng: random.Random, episode: EpisodePlan, today: dt.date) -> dt.date | None:
    """Counted from the last use, a day or two before admission — or from a later lapse."""
    if episode.destination == DischargeDestination.LEFT_EARLY:
        return None  # lost to follow-up: nobody knows
    start = episode.admitted_on - dt.timedelta(days=rng.randint(0, 2))
    days_in_care = ((episode.discharged_on or today) - episode.admitted_on).days
    if days_in_care > 60 and rng.random() < LAPSE_CHANCE:
        start = episode.admitted_on + dt.timedelta(days=rng.randint(21, days_in_care - 21))
    return start


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def date_of_birth(rng: random.Random, today: dt.date) -> dt.date:
    """An adult aged 19 to 60 today."""
    latest = years_before(today, rng.randint(19, 60))
    return latest - dt.timedelta(days=rng.randint(0, 364))


def substances(rng: random.Random) -> tuple[str, ...]:
    also = tuple(substance for substance, chance in CO_USED if rng.random() < chance)
    return (Substance.KETAMINE, *also)


def preferred_name(rng: random.Random, first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name[0]}." if rng.random() < 0.35 else first_name


def plan_patient(
    rng: random.Random, stage: str, first_name: str, today: dt.date, clinician: int, clinicians: int
) -> PatientPlan:
    last_name = rng.choice(SURNAMES)
    episodes: tuple[EpisodePlan, ...]
    if stage == DISCHARGED:
        episodes = (finished_episode(rng, today - dt.timedelta(days=rng.randint(3, 150))),)
    else:
        episode = current_episode(rng, stage, today)
        episodes = (episode,)
        if rng.random() < READMISSION_CHANCE:
            episodes = (earlier_episode(rng, episode.admitted_on), episode)
    return PatientPlan(
        first_name=first_name,
        last_name=last_name,
        preferred_name=preferred_name(rng, first_name, last_name),
        date_of_birth=date_of_birth(rng, today),
        substances=substances(rng),
        stage=stage,
        episodes=episodes,
        recovery_start_date=recovery_start(rng, episodes[-1], today),
        primary_clinician=clinician,
        second_clinician=clinicians > 1 and rng.random() < SECOND_CLINICIAN_CHANCE,
    )


def plan_patients(
    rng: random.Random,
    stages: tuple[tuple[str, int], ...],
    first_names: tuple[str, ...],
    today: dt.date,
    clinicians: int,
) -> list[PatientPlan]:
    """One plan per patient: `stages` says how many are at each stage; names are not reused."""
    wanted = [stage for stage, count in stages for _ in range(count)]
    names = rng.sample(first_names, len(wanted))
    return [
        plan_patient(rng, stage, name, today, index % clinicians, clinicians)
        for index, (stage, name) in enumerate(zip(wanted, names, strict=True))
    ]
