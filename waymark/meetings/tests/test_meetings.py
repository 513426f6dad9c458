"""The meeting list: kept by the organization admin, browsed by day and type, favourites,
one-tap attendance, and the weekly count on the patient's home and the clinician's record."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import time_machine
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.conftest import TODAY
from waymark.meetings.models import FavouriteMeeting, Fellowship, Meeting, MeetingAttendance
from waymark.meetings.services import weekly_count
from waymark.organizations.models import Organization
from waymark.patients.models import Patient
from waymark.testing.panels import record_panel

ClientFor = Callable[[User | None], Client]
ADD = "/admin/meetings/meeting/add/"


def meeting(
    org: Organization, name: str, fellowship: str, weekday: int, **extra: object
) -> Meeting:
    return Meeting.objects.create(
        organization=org,
        name=name,
        fellowship=fellowship,
        weekday=weekday,
        starts_at=dt.time(19, 0),
        place=str(extra.get("place", "Hall")),
    )


def test_an_admin_adds_a_meeting_to_their_organizations_list(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    data = {"name": "Friday SMART", "fellowship": "smart", "weekday": 4, "starts_at": "18:30",
            "online_link": "https://example.org/smart", "is_active": "on"}  # fmt: skip
    assert client_for(olivia).post(ADD, data).status_code == 302
    saved = Meeting.objects.get()
    assert (saved.organization, saved.starts_at, saved.weekday) == (northstar, dt.time(18, 30), 4)


def test_it_refuses_an_impossible_time_or_no_place_and_saves_nothing(
    olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    base = {"name": "Late NA", "fellowship": "na", "weekday": 2, "place": "Hall", "is_active": "on"}
    impossible = client.post(ADD, {**base, "starts_at": "25:61"})
    assert impossible.status_code == 200
    assert "Enter a valid time." in impossible.content.decode()
    nowhere = client.post(ADD, {**base, "starts_at": "19:00", "place": ""})
    assert "Give a place, an online link, or both." in nowhere.content.decode()
    bad_day = client.post(ADD, {**base, "starts_at": "19:00", "weekday": 9})
    assert "Select a valid choice" in bad_day.content.decode()
    assert not Meeting.objects.exists()


def test_it_lets_patients_browse_by_day_and_type(
    alice: Patient, erin: Patient, client_for: ClientFor
) -> None:
    org = alice.organization
    meeting(org, "Monday NA", Fellowship.NA, 0)
    meeting(org, "Monday SMART", Fellowship.SMART, 0)
    meeting(org, "Tuesday AA", Fellowship.AA, 1)
    meeting(erin.organization, "Harbour NA", Fellowship.NA, 0)
    client = client_for(alice.user)
    everything = client.get(reverse("meetings:list")).content.decode()
    assert "Monday NA" in everything and "Tuesday AA" in everything
    assert "Harbour NA" not in everything
    monday_na = client.get(reverse("meetings:list"), {"day": 0, "type": "na"}).content.decode()
    assert "Monday NA" in monday_na
    assert "Monday SMART" not in monday_na and "Tuesday AA" not in monday_na
    nonsense = client.get(reverse("meetings:list"), {"day": "x", "type": "zzz"})
    assert nonsense.status_code == 200 and "Tuesday AA" in nonsense.content.decode()


def test_it_saves_and_removes_a_favourite(alice: Patient, client_for: ClientFor) -> None:
    na = meeting(alice.organization, "Monday NA", Fellowship.NA, 0)
    client = client_for(alice.user)
    url = reverse("meetings:favourite", args=[na.pk])
    response = client.post(url, {"day": "0"})
    assert response["Location"] == reverse("meetings:list") + "?day=0"
    assert FavouriteMeeting.objects.filter(patient=alice, meeting=na).exists()
    assert "★ Monday NA" in client.get(reverse("meetings:list")).content.decode()
    client.post(url)
    assert not FavouriteMeeting.objects.exists()


def test_it_logs_attendance_once_a_day_in_one_tap(
    alice: Patient, bob: User, client_for: ClientFor, frozen: time_machine.Traveller
) -> None:
    na = meeting(alice.organization, "Monday NA", Fellowship.NA, 0)
    client = client_for(alice.user)
    url = reverse("meetings:attend", args=[na.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second tap changes nothing
    assert MeetingAttendance.objects.get().local_date == TODAY
    assert weekly_count(alice) == 1
    frozen.shift(dt.timedelta(days=1))
    client.post(url)
    assert weekly_count(alice) == 2
    home = client.get(reverse("patients:me")).content.decode()
    assert "You went to 2 meetings in the last 7 days." in home
    record = record_panel(client_for(bob), alice.pk, "meetings_record")
    assert "2 in the last 7 days" in record
    frozen.shift(dt.timedelta(days=7))
    assert weekly_count(alice) == 0


def test_it_counts_meetings_ticked_in_the_check_in_without_counting_twice(
    alice: Patient, client_for: ClientFor
) -> None:
    submit_checkin(alice, answers(meetings=("na", "smart")), key=uuid.uuid4())
    assert weekly_count(alice) == 2
    na = meeting(alice.organization, "Monday NA", Fellowship.NA, 0)
    client_for(alice.user).post(reverse("meetings:attend", args=[na.pk]))
    assert weekly_count(alice) == 1  # the day's logged meeting replaces the day's ticks


def test_it_answers_404_for_another_organizations_meeting(
    alice: Patient, erin: Patient, client_for: ClientFor
) -> None:
    theirs = meeting(erin.organization, "Harbour NA", Fellowship.NA, 0)
    client = client_for(alice.user)
    assert client.post(reverse("meetings:attend", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("meetings:favourite", args=[theirs.pk])).status_code == 404
    assert not MeetingAttendance.objects.exists() and not FavouriteMeeting.objects.exists()


def test_it_answers_404_for_a_meeting_taken_off_the_list(
    alice: Patient, client_for: ClientFor
) -> None:
    gone = meeting(alice.organization, "Old NA", Fellowship.NA, 0)
    gone.is_active = False
    gone.save()
    response = client_for(alice.user).post(reverse("meetings:attend", args=[gone.pk]))
    assert response.status_code == 404
