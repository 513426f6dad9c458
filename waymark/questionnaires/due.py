"""When questionnaires are due: occurrences computed from schedules, stays and assignments.

Nothing is stored for an occurrence: it follows from the program schedules, the
patient's stays (episodes of care) and what they have already completed, so a
changed schedule or a late-recorded discharge is reflected at once.

For one occurrence:
- **upcoming** before its due date;
- **due** from the due date for `grace_days`;
- **overdue** after that, until it closes (`window_days` after the due date, or the
  day before the next occurrence of the same schedule, whichever is first);
- **missed** once closed without a response (even inside the grace days: a daily
  questionnaire closes the day before the next one, sooner than its grace days end);
- **completed** by any response to that questionnaire submitted (patient's local
  date) between its due date and its closing date — one response can satisfy a
  program's schedule and a clinician's request at once, so nobody is asked twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from waymark.patients.models import ProgramStay
from waymark.questionnaires.models import Anchor, Assignment, Schedule

UPCOMING_HORIZON_DAYS = 30
ASSIGNMENT_GRACE_DAYS = 3


class Status(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    COMPLETED = "completed"
    MISSED = "missed"

    @property
    def is_open(self) -> bool:
        return self in {Status.DUE, Status.OVERDUE}


@dataclass(frozen=True)
class Done:
    """What matching needs of a response."""

    key: str
    submitted_on: dt.date
    submitted_at: dt.datetime
    response_id: str


@dataclass(frozen=True)
class Occurrence:
    key: str
    due_on: dt.date
    overdue_from: dt.date
    closes_on: dt.date
    why: str  # "Residential: every 14 days", "Asked by your care team"
    status: Status
    schedule_id: int | None = None
    assignment_id: int | None = None
    program_id: int | None = None
    scoring_form: str = ""
    completed_by: Done | None = None

    @property
    def completed_on_time(self) -> bool:
        done = self.completed_by
        return done is not None and done.submitted_on < self.overdue_from


def _status(
    due_on: dt.date, overdue_from: dt.date, closes_on: dt.date, done: Done | None, today: dt.date
) -> Status:
    if done is not None:
        return Status.COMPLETED
    if today < due_on:
        return Status.UPCOMING
    if today > closes_on:  # closed: no answer can complete it now, grace days or not
        return Status.MISSED
    if today < overdue_from:
        return Status.DUE
    return Status.OVERDUE


def schedule_dates(schedule: Schedule, stay: ProgramStay, today: dt.date) -> list[dt.date]:
    """Due dates one schedule gives one stay, up to the upcoming horizon."""
    horizon = today + dt.timedelta(days=UPCOMING_HORIZON_DAYS)
    offset = dt.timedelta(days=schedule.offset_days)
    if schedule.anchor == Anchor.ADMISSION:
        last = min(filter(None, [stay.ended_on, horizon]))
        first = stay.started_on + offset
        if not schedule.repeat_every_days:
            return [first] if first <= last else []
        step = dt.timedelta(days=schedule.repeat_every_days)
        dates = []
        while first <= last:
            dates.append(first)
            first += step
        return dates
    if schedule.anchor == Anchor.DISCHARGE:
        end = stay.ended_on or stay.planned_end_on
        return [end + offset] if end else []
    episode = stay.episode
    is_last = episode.discharged_on is not None and stay.ended_on == episode.discharged_on
    return [episode.discharged_on + offset] if is_last and episode.discharged_on else []


def _match(key: str, start: dt.date, end: dt.date, done: Sequence[Done]) -> Done | None:
    return next((d for d in done if d.key == key and start <= d.submitted_on <= end), None)


def occurrences(
    *,
    schedules: Iterable[Schedule],
    stays: Iterable[ProgramStay],
    assignments: Iterable[Assignment],
    done: Sequence[Done],
    today: dt.date,
    labels: dict[int, str] | None = None,
) -> list[Occurrence]:
    """Every occurrence for one patient, oldest first. `stays` need `episode` loaded."""
    found: list[Occurrence] = []
    by_program: dict[int, list[Schedule]] = {}
    for schedule in schedules:
        if schedule.is_active:
            by_program.setdefault(schedule.program_id, []).append(schedule)
    for stay in stays:
        for schedule in by_program.get(stay.program_id, []):
            program = (labels or {}).get(stay.program_id, "")
            why = f"{program}: {schedule.describe()}" if program else schedule.describe()
            dates = [d for d in schedule_dates(schedule, stay, today) if d >= schedule.active_from]
            for index, due_on in enumerate(dates):
                closes_on = due_on + dt.timedelta(days=schedule.window_days)
                if index + 1 < len(dates):
                    closes_on = min(closes_on, dates[index + 1] - dt.timedelta(days=1))
                overdue_from = due_on + dt.timedelta(days=schedule.grace_days)
                hit = _match(schedule.questionnaire_key, due_on, closes_on, done)
                found.append(
                    Occurrence(
                        key=schedule.questionnaire_key,
                        due_on=due_on,
                        overdue_from=overdue_from,
                        closes_on=closes_on,
                        why=why,
                        status=_status(due_on, overdue_from, closes_on, hit, today),
                        schedule_id=schedule.pk,
                        program_id=stay.program_id,
                        scoring_form=schedule.scoring_form,
                        completed_by=hit,
                    )
                )
    for assignment in assignments:
        overdue_from = assignment.due_on + dt.timedelta(days=ASSIGNMENT_GRACE_DAYS)
        hit = next(
            (
                d
                for d in done
                if d.key == assignment.questionnaire_key
                and d.submitted_at >= assignment.created_at
                and d.submitted_on <= assignment.closes_on
            ),
            None,
        )
        found.append(
            Occurrence(
                key=assignment.questionnaire_key,
                due_on=assignment.due_on,
                overdue_from=overdue_from,
                closes_on=assignment.closes_on,
                why=assignment.get_reason_display(),
                status=_status(assignment.due_on, overdue_from, assignment.closes_on, hit, today),
                assignment_id=assignment.pk,
                completed_by=hit,
            )
        )
    return sorted(found, key=lambda occurrence: (occurrence.due_on, occurrence.key))


def open_by_key(found: Iterable[Occurrence]) -> dict[str, Occurrence]:
    """The most pressing open occurrence per questionnaire (overdue first, then oldest)."""
    best: dict[str, Occurrence] = {}
    for occurrence in found:
        if not occurrence.status.is_open:
            continue
        current = best.get(occurrence.key)
        rank = (occurrence.status != Status.OVERDUE, occurrence.due_on)
        if current is None or rank < (current.status != Status.OVERDUE, current.due_on):
            best[occurrence.key] = occurrence
    return best


def next_upcoming(found: Iterable[Occurrence], exclude: Iterable[str] = ()) -> list[Occurrence]:
    """The next upcoming occurrence per questionnaire not already open."""
    skip = set(exclude)
    upcoming: dict[str, Occurrence] = {}
    for occurrence in found:
        if occurrence.status == Status.UPCOMING and occurrence.key not in skip:
            current = upcoming.get(occurrence.key)
            if current is None or occurrence.due_on < current.due_on:
                upcoming[occurrence.key] = occurrence
    return sorted(upcoming.values(), key=lambda occurrence: occurrence.due_on)
