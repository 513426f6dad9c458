"""Mutual-help meetings: the list a patient browses, favourites, one-tap attendance, and
the weekly count shown on the patient's home and the clinician's record.

The weekly count is the last seven days in the patient's own zone: the meetings logged
from the list, plus those ticked in a day's check-in ("Support meetings you went to") on a
day with nothing logged from the list, so the same meeting is not counted twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from waymark.access import Capability, one_of, require
from waymark.checkins.models import CheckIn
from waymark.errors import ServiceError
from waymark.meetings.models import (
    FavouriteMeeting,
    Fellowship,
    Meeting,
    MeetingAttendance,
    Weekday,
)
from waymark.patients.models import Patient

if TYPE_CHECKING:
    from waymark.access import Actor

WEEK = 7


@dataclass(frozen=True)
class Filters:
    weekday: int | None = None
    fellowship: str = ""

    @classmethod
    def parse(cls, day: str | None, kind: str | None) -> Filters:
        """From the list's query string; anything unknown means "any" (never an error)."""
        weekday = int(day) if day and day.isdigit() and int(day) in Weekday.values else None
        fellowship = kind if kind in Fellowship.values else ""
        return cls(weekday=weekday, fellowship=fellowship or "")


def meetings_for(patient: Patient, filters: Filters = Filters()) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(organization_id=patient.organization_id, is_active=True)
    if filters.weekday is not None:
        meetings = meetings.filter(weekday=filters.weekday)
    if filters.fellowship:
        meetings = meetings.filter(fellowship=filters.fellowship)
    return meetings


def meeting_for(patient: Patient, meeting_id: int) -> Meeting:
    return one_of(meetings_for(patient), meeting_id, "No such meeting.")


def favourite_ids(patient: Patient) -> set[int]:
    return set(
        FavouriteMeeting.objects.filter(patient=patient).values_list("meeting_id", flat=True)
    )


def toggle_favourite(actor: Actor, patient: Patient, meeting: Meeting) -> bool:
    """Save or unsave a favourite; True when it is now a favourite."""
    require(actor, Capability.USE_PATIENT_APP, patient=patient)
    with transaction.atomic():
        deleted, _ = FavouriteMeeting.objects.filter(patient=patient, meeting=meeting).delete()
        if deleted:
            return False
        FavouriteMeeting.objects.create(
            organization_id=patient.organization_id, patient=patient, meeting=meeting
        )
        return True


def log_attendance(actor: Actor, patient: Patient, meeting: Meeting) -> bool:
    """Today, in the patient's zone; False when it was already logged today (no change)."""
    require(actor, Capability.USE_PATIENT_APP, patient=patient)
    if not actor.is_patient(patient):
        raise ServiceError("Only the patient logs the meetings they went to.", status=403)
    try:
        with transaction.atomic():
            MeetingAttendance.objects.create(
                organization_id=patient.organization_id,
                patient=patient,
                meeting=meeting,
                fellowship=meeting.fellowship,
                local_date=patient.local_today(),
            )
    except IntegrityError:
        return False
    return True


def attended_today(patient: Patient) -> set[int]:
    return set(
        MeetingAttendance.objects.filter(
            patient=patient, local_date=patient.local_today()
        ).values_list("meeting_id", flat=True)
    )


def weekly_count(patient: Patient, today: dt.date | None = None) -> int:
    today = today or patient.local_today()
    start = today - dt.timedelta(days=WEEK - 1)
    logged = MeetingAttendance.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        local_date__range=(start, today),
    ).values_list("local_date", flat=True)
    logged_days = list(logged)
    from_checkins = sum(
        len(meetings or [])
        for day, meetings in CheckIn.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            local_date__range=(start, today),
        ).values_list("local_date", "meetings")
        if day not in set(logged_days)
    )
    return len(logged_days) + from_checkins
