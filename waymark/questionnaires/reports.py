"""Completion rates for clinicians and admins: how many scheduled questionnaires get done.

Computed for the patients the actor may see (access.visible_patients), from a fixed
number of queries whatever the caseload size. An occurrence counts in the period
when its due date falls in it; its rate is completed / (completed + missed) —
occurrences still open are shown but not counted against anyone yet.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from waymark.access import Actor, audit_shown, visible_patients
from waymark.audit.models import AuditObject
from waymark.patients.models import Patient, ProgramStay
from waymark.questionnaires.due import Done, Occurrence, Status, occurrences
from waymark.questionnaires.models import Assignment, Questionnaire, QuestionnaireResponse, Schedule

DEFAULT_DAYS = 90


@dataclass
class Tally:
    completed: int = 0
    on_time: int = 0
    missed: int = 0
    open: int = 0

    def add(self, occurrence: Occurrence) -> None:
        if occurrence.status == Status.COMPLETED:
            self.completed += 1
            self.on_time += occurrence.completed_on_time
        elif occurrence.status == Status.MISSED:
            self.missed += 1
        elif occurrence.status.is_open:
            self.open += 1

    @property
    def due(self) -> int:
        return self.completed + self.missed + self.open

    @property
    def rate(self) -> int | None:
        closed = self.completed + self.missed
        return round(100 * self.completed / closed) if closed else None


@dataclass
class ScheduleRow:
    schedule: Schedule
    title: str
    tally: Tally = field(default_factory=Tally)


@dataclass(frozen=True)
class OpenItem:
    patient: Patient
    occurrence: Occurrence
    title: str

    @property
    def days_late(self) -> int:
        return max(0, (self.patient.local_today() - self.occurrence.due_on).days)


@dataclass
class CompletionReport:
    since: dt.date
    rows: list[ScheduleRow]
    total: Tally
    overdue: list[OpenItem]


def _patient_data(
    organization_id: int, patients: list[Patient], since: dt.date
) -> tuple[
    dict[object, list[ProgramStay]], dict[object, list[Done]], dict[object, list[Assignment]]
]:
    ids = [patient.pk for patient in patients]
    stays: dict[object, list[ProgramStay]] = defaultdict(list)
    for stay in (
        ProgramStay.objects.filter(organization_id=organization_id, patient_id__in=ids)
        .select_related("episode")
        .order_by("started_on", "pk")
    ):
        stays[stay.patient_id].append(stay)
    done: dict[object, list[Done]] = defaultdict(list)
    for patient_id, key, on, at, pk in (
        QuestionnaireResponse.objects.filter(
            organization_id=organization_id, patient_id__in=ids, submitted_on__gte=since
        )
        .order_by("submitted_at")
        .values_list("patient_id", "questionnaire_key", "submitted_on", "submitted_at", "pk")
    ):
        done[patient_id].append(Done(key, on, at, str(pk)))
    assignments: dict[object, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(
        organization_id=organization_id, patient_id__in=ids, closes_on__gte=since
    ):
        assignments[assignment.patient_id].append(assignment)
    return stays, done, assignments


def completion_report(actor: Actor, *, days: int = DEFAULT_DAYS) -> CompletionReport:
    """Per schedule: due, completed (on time), missed, open; and who is overdue now."""
    organization = actor.organization
    assert organization is not None
    patients = list(visible_patients(actor).order_by("preferred_name", "pk"))
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(organization.timezone)).date()
    since = today - dt.timedelta(days=days)
    schedules = list(Schedule.objects.filter(organization=organization).select_related("program"))
    titles = {q.key: q.short_title for q in Questionnaire.objects.available_to(organization.pk)}
    rows = {
        s.pk: ScheduleRow(s, titles.get(s.questionnaire_key, s.questionnaire_key))
        for s in schedules
    }
    stays, done, assignments = _patient_data(organization.pk, patients, since)
    labels = {s.program_id: s.program.name for s in schedules}
    total, overdue = Tally(), []
    for patient in patients:
        for occurrence in occurrences(
            schedules=schedules,
            stays=stays[patient.pk],
            assignments=assignments[patient.pk],
            done=done[patient.pk],
            today=patient.local_today(),
            labels=labels,
        ):
            if occurrence.due_on < since or occurrence.status == Status.UPCOMING:
                continue
            if occurrence.schedule_id in rows:
                rows[occurrence.schedule_id].tally.add(occurrence)
                total.add(occurrence)
            if occurrence.status == Status.OVERDUE:
                title = titles.get(occurrence.key, occurrence.key)
                overdue.append(OpenItem(patient, occurrence, title))
    audit_shown(
        actor,
        (item.patient for item in overdue),
        object_type=AuditObject.QUESTIONNAIRE_OVERDUE_LIST,
    )
    shown = sorted(rows.values(), key=lambda r: (r.schedule.program.name, r.title))
    return CompletionReport(since, shown, total, sorted(overdue, key=lambda i: i.occurrence.due_on))


def patient_completion(occurrences_: list[Occurrence], *, since: dt.date) -> Tally:
    """One patient's tally, for the patient record."""
    tally = Tally()
    for occurrence in occurrences_:
        if occurrence.due_on >= since and occurrence.status != Status.UPCOMING:
            tally.add(occurrence)
    return tally
