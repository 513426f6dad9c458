"""Point 5 on a hand-built cohort: adherence per week of care; reach-outs; extension point."""

from __future__ import annotations

import datetime as dt

from waymark.accounts.models import User
from waymark.appointments.models import (
    Appointment,
    AppointmentKind,
    Attendance,
    AttendanceStatus,
    Group,
    Outcome,
)
from waymark.checkins.models import CheckIn
from waymark.conftest import NOW
from waymark.meetings.models import MeetingAttendance
from waymark.organizations.models import Organization
from waymark.outcomes.engagement import adherence_by_week, engagement
from waymark.outcomes.tests.conftest import START, checkins, day, patient, scope_for


def test_it_counts_check_in_days_per_whole_week_of_care(northstar: Organization, bob: User) -> None:
    one = patient(northstar, "pat1")  # day 0: four whole weeks by TODAY (day 29)
    checkins(one, [0, 1, 2, 7, 14, 15])
    two = patient(northstar, "pat2", admitted=20)  # one whole week (days 20-26)
    checkins(two, [20, 21, 22, 23, 24, 25, 26, 27])

    rows = [
        (r.week, r.stays, r.days_with_checkin, r.percent) for r in adherence_by_week(scope_for(bob))
    ]

    assert rows == [(1, 2, 10, 71.4), (2, 1, 1, 14.3), (3, 1, 2, 28.6), (4, 1, 0, 0.0)]


def test_it_counts_the_first_twelve_weeks_only_and_no_stay_short_of_a_week(
    northstar: Organization, bob: User
) -> None:
    long = patient(northstar, "pat1", admitted=-90)  # 17 whole weeks by TODAY (day 29)
    checkins(long, [-90, -90 + 76, -90 + 77, -90 + 83, -90 + 84])  # weeks 1, 11, 12, 12, 13
    short = patient(northstar, "pat2", admitted=25)  # days 25-29: no whole week yet
    checkins(short, [25, 26, 27, 28, 29])

    rows = [
        (r.week, r.stays, r.days_with_checkin)
        for r in adherence_by_week(scope_for(bob, start=day(-90)))
    ]

    assert rows == [(1, 1, 1), *((w, 1, 0) for w in range(2, 11)), (11, 1, 1), (12, 1, 2)]


def test_it_shows_what_other_apps_register(northstar: Organization, bob: User) -> None:
    patient(northstar, "pat1")

    figures = engagement(scope_for(bob))["engagement_figures"]

    assert [(f.label, f.count, f.n) for f in figures] == [  # type: ignore[attr-defined]
        ("Reach-outs answered by a supporter", 0, 0),
        ("Individual and family appointments attended", 0, 0),
        ("Group session places attended", 0, 0),
        ("Patients who went to a mutual-help meeting", 0, 1),
    ]


def test_it_counts_patients_who_went_to_a_meeting_logged_or_ticked_in_the_period(
    northstar: Organization, harbour: Organization, bob: User
) -> None:
    logged, ticked, neither, before = (patient(northstar, f"pat{n}") for n in range(1, 5))
    stranger = patient(harbour, "pat9")
    for person, on in (
        (logged, day(3)),
        (before, START - dt.timedelta(days=2)),
        (stranger, day(3)),
    ):
        MeetingAttendance.objects.create(
            organization_id=person.organization_id, patient=person, fellowship="na", local_date=on
        )
    checkins(ticked, [5])
    CheckIn.objects.filter(patient=ticked).update(meetings=["smart"])
    checkins(neither, [5])  # a check-in without a meeting

    (figure,) = [
        f
        for f in engagement(scope_for(bob))["engagement_figures"]  # type: ignore[attr-defined]
        if f.label == "Patients who went to a mutual-help meeting"
    ]

    assert (figure.count, figure.n) == (2, 4)


def test_it_counts_sessions_attended_of_those_with_an_outcome(
    northstar: Organization, bob: User
) -> None:
    one, two = patient(northstar, "pat1"), patient(northstar, "pat2")
    for person, outcome in ((one, Outcome.ATTENDED), (one, Outcome.NO_SHOW), (two, "")):
        Appointment.objects.create(
            organization=northstar, kind=AppointmentKind.INDIVIDUAL, patient=person,
            clinician=bob, starts_at=NOW - dt.timedelta(days=2), minutes=50, place="Room 1",
            created_by=bob, outcome=outcome,
        )  # fmt: skip
    group = Group.objects.create(organization=northstar, name="IOP", facilitator=bob)
    session = Appointment.objects.create(
        organization=northstar, kind=AppointmentKind.GROUP, group=group, clinician=bob,
        starts_at=NOW - dt.timedelta(days=1), minutes=90, place="Group room", created_by=bob,
    )  # fmt: skip
    for person, status in ((one, AttendanceStatus.LATE), (two, AttendanceStatus.ABSENT)):
        Attendance.objects.create(
            organization=northstar, appointment=session, patient=person, status=status,
            recorded_by=bob,
        )  # fmt: skip

    figures = {
        f.label: (f.count, f.n)
        for f in engagement(scope_for(bob))["engagement_figures"]  # type: ignore[attr-defined]
    }

    assert figures["Individual and family appointments attended"] == (1, 2)
    assert figures["Group session places attended"] == (1, 2)
