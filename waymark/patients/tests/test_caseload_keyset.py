"""The caseload a page at a time by keyset (issue 13, point 3).

Seen before: every request sorted and counted the whole organization (5,000 patients:
p95 ≈ 94 ms; 20,000: ≈ 270 ms). Now a page starts after the last row of the one before,
over the index of the order, and nothing counts the organization.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.alerts import services
from waymark.conftest import TODAY, make_user, program
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.keyset import Cursor
from waymark.patients.models import Patient
from waymark.patients.services import admit, enroll_patient
from waymark.risk.models import PatientRisk
from waymark.risk.rules import CHECKIN_SAFETY

ClientFor = Callable[[User | None], Client]
LEVELS = (0, 10, 20, 30, 40)


def make_patients(
    organization: Organization, count: int, *, assessed: bool = True, first: int = 0
) -> list[Patient]:
    """`count` patients in care; assessed ones get levels and activity times with ties."""
    made = []
    base = timezone.now() - dt.timedelta(days=2)
    hour = dt.timedelta(hours=1)
    for number in range(first, first + count):
        patient = enroll_patient(
            organization, make_user(f"k{number}"), preferred_name=f"Person {number:03}",
            date_of_birth=dt.date(1990, 1, 1),
        )  # fmt: skip
        admit(patient, program(organization, LevelOfCare.OUTPATIENT), on=TODAY)
        if assessed:
            PatientRisk.objects.create(
                organization=organization, patient=patient, level=LEVELS[number % 5],
                # every third never active (nulls last), the rest in ties of two
                last_activity_at=None if number % 3 == 0 else base + hour * (number // 2),
                assessed_at=timezone.now(),
            )  # fmt: skip
        made.append(patient)
    return made


def expected_order(patients: list[Patient]) -> list[Patient]:
    """The caseload's order computed here, independently of the SQL."""
    risks = {r.patient_id: r for r in PatientRisk.objects.all()}

    def key(patient: Patient) -> tuple:
        risk = risks.get(patient.pk)
        if risk is None:
            return (1, 0, 0, 0, 0.0, patient.preferred_name, str(patient.pk))
        activity = risk.last_activity_at
        return (
            0, -int(risk.urgent_unacked), -risk.sort_level, activity is None,
            -activity.timestamp() if activity else 0.0, "", str(patient.pk),
        )  # fmt: skip

    return sorted(patients, key=key)


def read_page(client: Client, after: str | None = None) -> tuple[list[Patient], str | None]:
    query = f"?after={after}" if after else ""
    page = client.get(reverse("patients:caseload") + query).context["page"]
    return list(page), page.next_cursor


def walk(client: Client) -> list[list[Patient]]:
    pages, after = [], None
    while True:
        rows, after = read_page(client, after)
        pages.append(rows)
        if after is None:
            return pages


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("waymark.patients.views.CASELOAD_PAGE_SIZE", 4)


@pytest.mark.usefixtures("small_pages")
def test_it_pages_through_every_patient_once_in_the_safety_net_order(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patients = make_patients(northstar, 17) + make_patients(northstar, 3, assessed=False, first=17)
    pages = walk(client_for(bob))
    assert [len(rows) for rows in pages] == [4, 4, 4, 4, 4]
    listed = [patient for rows in pages for patient in rows]
    assert listed == expected_order(patients), "no duplicate, no gap, the order of the index"
    assert listed[-3:] == sorted(patients[17:], key=lambda p: p.preferred_name), "never assessed"


@pytest.mark.usefixtures("small_pages")
def test_it_starts_each_page_exactly_after_the_last_row_of_the_one_before(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patients = expected_order(make_patients(northstar, 9))
    client = client_for(bob)
    first, after = read_page(client)
    assert after == Cursor.after(first[-1]).encode()
    second, _ = read_page(client, after)
    assert (first, second) == (patients[:4], patients[4:8])
    response = client.get(reverse("patients:caseload") + f"?after={after}")
    assert ">First<" in response.content.decode()
    assert ">First<" not in client.get(reverse("patients:caseload")).content.decode()


@pytest.mark.usefixtures("small_pages")
def test_it_defines_what_a_cursor_means_when_risk_changes_between_pages(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    make_patients(northstar, 12)
    client = client_for(bob)
    first, after = read_page(client)
    before = expected_order(list(Patient.objects.all()))
    # Between the pages: someone further down gets an urgent alert nobody has seen, and
    # someone already shown drops to no risk and no activity.
    rising, falling = before[9], first[1]
    services.raise_alert(rising, CHECKIN_SAFETY.flag("Answered yes."))
    PatientRisk.objects.filter(patient=falling).update(level=0, sort_level=0, last_activity_at=None)
    rest = [p for rows in walk_from(client, after) for p in rows]
    assert rising not in rest, "risen above the cursor: not repeated below..."
    assert read_page(client)[0][0] == rising, "...it is on top of the first page"
    assert rest.count(falling) == 1, "fallen below the cursor: shown again further down"
    stayed = [p for p in before[4:] if p not in (rising, falling)]
    assert [p for p in rest if p != falling] == stayed, "nobody who stayed is skipped or repeated"


def walk_from(client: Client, after: str | None) -> list[list[Patient]]:
    pages = []
    while after is not None:
        rows, after = read_page(client, after)
        pages.append(rows)
    return pages


def test_it_reads_a_page_with_the_same_queries_for_3_and_60_patients(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    """A page costs the same whatever the caseload's size; a page that runs out of
    assessed patients reads the never-assessed ones with one more query."""
    client = client_for(bob)

    def queries(after: str | None = None) -> tuple[int, str | None]:
        query = f"?after={after}" if after else ""
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("patients:caseload") + query)
        assert response.status_code == 200
        return len(captured), response.context["page"].next_cursor

    make_patients(northstar, 2)
    make_patients(northstar, 1, assessed=False, first=100)
    three, after = queries()
    assert after is None
    make_patients(northstar, 57, first=2)  # 60 in all: the first page is full
    full, after = queries()
    last, end = queries(after)
    assert (last, end) == (three, None), "the page that reaches the never-assessed"
    assert full == three - 1, "a full page of assessed patients: one query fewer"


def test_it_treats_a_malformed_cursor_as_the_first_page(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    make_patients(northstar, 3)
    client = client_for(bob)
    junk_cursors = (
        Cursor("risk", 1, ()),  # a value short
        Cursor("risk", 7, ("A", uuid.uuid4())),  # no such segment
        Cursor("risk", 1, (None, uuid.uuid4())),  # a name cannot be empty
        Cursor("name", 0, ("A", uuid.uuid4())),  # written for another order
    )
    for junk in ("x", "!!!", "WzEsMl0", *(cursor.encode() for cursor in junk_cursors)):
        assert read_page(client, junk)[0] == read_page(client)[0]


@pytest.mark.usefixtures("small_pages")
def test_it_keeps_the_filters_in_the_next_page_link(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    make_patients(northstar, 6)
    outpatient = program(northstar, LevelOfCare.OUTPATIENT)
    response = client_for(bob).get(reverse("patients:caseload") + f"?program={outpatient.pk}")
    after = response.context["page"].next_cursor
    assert f'href="?program={outpatient.pk}&amp;after={after}"' in response.content.decode()
