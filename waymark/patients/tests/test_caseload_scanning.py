"""A caseload built for scanning (issue 16, point 1): sort, search, "reviewed by me".

Seen before: no column sorting, no search by name, nothing told a clinician whose record
they had not opened for a while, and sparklines had no scale.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.alerts import services
from waymark.audit.models import AuditEvent, AuditObject
from waymark.conftest import TODAY, make_member
from waymark.organizations.models import Organization, Role
from waymark.organizations.services import current_membership
from waymark.patients.keyset import ORDERS, Cursor, order_named
from waymark.patients.models import Patient, RecordReview
from waymark.patients.queries import search_fields
from waymark.patients.tests.test_caseload_keyset import make_patients
from waymark.risk.models import PatientRisk
from waymark.risk.rules import CHECKIN_SAFETY, CRAVING_HIGH

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


def listed(client: Client, query: str = "") -> list[Patient]:
    return list(client.get(reverse("patients:caseload") + query).context["page"])


def walk(client: Client, query: str) -> list[Patient]:
    """Every patient of the caseload in `query`'s order, page after page."""
    rows: list[Patient] = []
    after: str | None = ""
    while after is not None:
        page = client.get(reverse("patients:caseload") + query + f"&after={after}").context["page"]
        rows += list(page)
        after = page.next_cursor
    return rows


def with_columns(patients: list[Patient], *, gaps: bool = True) -> None:
    """Last check-in, PHQ-9 and program start on each risk row, with ties (and gaps)."""
    for number, patient in enumerate(patients):
        risk = PatientRisk.objects.get(patient=patient)
        gap = gaps and number % 4 == 0
        risk.last_checkin_on = None if gap else TODAY - dt.timedelta(days=number % 3)
        risk.phq9_score = None if gaps and number % 5 == 0 else number % 4 * 5
        risk.program_since = None if gaps and number % 6 == 0 else TODAY - dt.timedelta(number % 7)
        risk.save()


def by_name(patients: list[Patient]) -> list[Patient]:
    return sorted(patients, key=lambda p: (p.preferred_name, str(p.pk)))


def expected(
    patients: list[Patient], column: str, *, descending: bool, reverse: bool
) -> list[Patient]:
    """Those with a value by it, ties by id; reversed, exactly the other way round; then
    the rest by name. Computed here, independently of the SQL."""
    risks = {r.patient_id: r for r in PatientRisk.objects.all()}
    valued = [p for p in patients if getattr(risks.get(p.pk), column, None) is not None]
    by_id = sorted(valued, key=lambda p: str(p.pk))
    valued = sorted(by_id, key=lambda p: getattr(risks[p.pk], column), reverse=descending)
    if reverse:
        valued.reverse()
    return valued + by_name([p for p in patients if p not in valued])


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("waymark.patients.views.CASELOAD_PAGE_SIZE", 4)


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize(
    ("sort", "column", "descending"),
    [
        ("checkin", "last_checkin_on", True),  # the latest first
        ("phq9", "phq9_score", True),  # the highest first
        ("days", "program_since", False),  # the most days in the program first
    ],
)
@pytest.mark.parametrize("reverse", [False, True])
def test_it_sorts_by_a_column_page_after_page_without_a_gap_or_a_repeat(
    northstar: Organization, bob: User, client_for: ClientFor, sort: str, column: str,
    descending: bool, reverse: bool,
) -> None:  # fmt: skip
    patients = make_patients(northstar, 14) + make_patients(northstar, 2, assessed=False, first=14)
    with_columns(patients[:14])
    rows = walk(client_for(bob), f"?sort={'-' if reverse else ''}{sort}")
    assert rows == expected(patients, column, descending=descending, reverse=reverse)


@pytest.mark.usefixtures("small_pages")
def test_it_sorts_by_name_either_way_with_and_without_a_risk_row(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patients = make_patients(northstar, 7) + make_patients(northstar, 3, assessed=False, first=7)
    client = client_for(bob)
    assert walk(client, "?sort=name") == by_name(patients)
    assert walk(client, "?sort=-name") == by_name(patients)[::-1]


def test_an_open_urgent_alert_leads_the_risk_sort_but_not_a_sort_someone_chose(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    patients = make_patients(northstar, 6)
    with_columns(patients)
    # The patient the risk order would put last gets an urgent alert nobody has seen.
    last = listed(client_for(bob))[-1]
    services.raise_alert(last, CHECKIN_SAFETY.flag("Answered yes."))
    client = client_for(bob)
    assert listed(client)[0] == last
    assert listed(client, "?sort=-risk")[0] == last, "the safety net's order is not reversible"
    assert listed(client, "?sort=junk")[0] == last, "anything unknown is the risk order"
    assert listed(client, "?sort=name") == by_name(patients), "an explicit choice is obeyed"


def test_a_cursor_of_one_sort_is_the_first_page_of_another(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    make_patients(northstar, 3)
    client = client_for(bob)
    name_cursor = Cursor("name", 0, ("Person 001", uuid.uuid4())).encode()
    assert listed(client, f"?sort=checkin&after={name_cursor}") == listed(client, "?sort=checkin")
    assert order_named("-risk") == ORDERS["risk"] and order_named("-name").reverse


def test_the_column_headers_sort_and_keep_the_search_and_filters(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    make_patients(northstar, 2)
    content = client_for(bob).get(reverse("patients:caseload") + "?q=Person&sort=name")
    html = content.content.decode()
    assert '<th aria-sort="ascending" data-sort="name"><a href="?q=Person&amp;sort=-name">' in html
    assert '<th aria-sort="none" data-sort="phq9"><a href="?q=Person&amp;sort=phq9">' in html
    assert 'name="sort" value="name"' in html, "the search form keeps the sort"


def test_it_finds_patients_by_name_and_never_another_organizations(
    northstar: Organization, alice: Patient, dana: Patient, erin: Patient, bob: User,
    client_for: ClientFor,
) -> None:  # fmt: skip
    erin.preferred_name = "Alicia"  # at Harbour House: matches "ali" too
    erin.save()
    client = client_for(bob)
    assert listed(client, "?q=ali") == [alice]
    assert listed(client, "?q=+ALI+") == [alice], "any case, spaces around"
    assert listed(client, "?q=dan&sort=name") == [dana]
    assert listed(client, "?q=nobody") == []
    assert "No patient matches “nobody”." in client.get("/caseload/?q=nobody").content.decode()
    assert listed(client, "?q=" + "x" * 81) == listed(client), "too long: ignored, not a 500"


def test_it_searches_every_name_field_and_the_record_number_when_there_is_one() -> None:
    fields = search_fields()
    assert "preferred_name" in fields
    names = {f.name for f in Patient._meta.concrete_fields}
    assert ("record_number" in fields) == ("record_number" in names)
    assert "timezone" not in fields and "substances" not in fields


def test_the_search_answers_htmx_with_the_rows_and_audits_only_who_it_shows(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    response = client.get(reverse("patients:caseload") + "?q=dana", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="caseload-rows"' in html
    assert "<h1>" not in html, "a fragment"
    assert 'hx-get="/caseload/?q=dana"' in html, "its refresh keeps the search"
    shown = AuditEvent.objects.filter(object_type=AuditObject.CASELOAD)
    assert {event.patient_id for event in shown} == {dana.pk}


def test_the_search_box_works_with_and_without_javascript(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    html = client_for(bob).get(reverse("patients:caseload")).content.decode()
    form = html.split('id="caseload-filters"')[1].split("</form>")[0]
    assert 'method="get"' in html.split('id="caseload-filters"')[0][-80:]
    assert 'type="search" name="q"' in form and '<button type="submit">' in form
    assert 'hx-trigger="input changed delay:300ms, search"' in form


def test_opening_the_record_marks_it_reviewed_by_that_clinician_only(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:  # fmt: skip
    ann = make_member(northstar, "ann", Role.CLINICIAN)
    client = client_for(bob)
    assert client.get(reverse("patients:detail", args=[alice.pk])).status_code == 200
    frozen.shift(dt.timedelta(minutes=10))
    assert client.get(reverse("patients:detail", args=[alice.pk])).status_code == 200

    [review] = RecordReview.objects.all()
    assert (review.reviewer, review.patient, review.reviewed_at) == (bob, alice, timezone.now())
    html = client.get(reverse("patients:caseload")).content.decode()
    row = html.split(f'id="patient-{alice.pk}"')[1].split("</tr>")[0]
    assert "Last reviewed by you" in row and "✓ 27 Nov" in row
    assert "not reviewed by you" in html.split(f'id="patient-{dana.pk}"')[1].split("</tr>")[0]
    other = client_for(ann).get(reverse("patients:caseload")).content.decode()
    assert "not reviewed by you" in other.split(f'id="patient-{alice.pk}"')[1].split("</tr>")[0]


def test_not_reviewed_in_7_days_lists_who_the_clinician_has_not_opened(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:  # fmt: skip
    client = client_for(bob)
    client.get(reverse("patients:detail", args=[alice.pk]))
    assert listed(client, "?reviewed=stale") == [dana]
    frozen.shift(dt.timedelta(days=7, seconds=-1))
    assert listed(client_for(bob), "?reviewed=stale") == [dana], "6 days 23:59:59: reviewed"
    frozen.shift(dt.timedelta(seconds=2))
    client = client_for(bob)
    assert set(listed(client, "?reviewed=stale")) == {alice, dana}, "7 days on: due again"
    assert listed(client, "?reviewed=stale&q=dana") == [dana], "with the search"


def test_the_row_says_who_acknowledged_the_alert_and_when_in_the_organizations_zone(
    northstar: Organization, dana: Patient, bob: User, client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:  # fmt: skip
    alert = services.raise_alert(dana, CHECKIN_SAFETY.flag("Answered yes."))
    assert alert is not None
    client = client_for(bob)
    row = client.get("/caseload/").content.decode().split(f'id="patient-{dana.pk}"')[1]
    line = row.split("</tr>")[0].split('class="why-line">')[1].split("</div>")[0]
    assert "New</a> Safety answer in a check-in" in line and "Answered yes." in line
    frozen.move_to(dt.datetime(2026, 11, 27, 21, 5, tzinfo=dt.UTC))  # 16:05 in New York
    actor = Actor(user=bob, membership=current_membership(bob), request_id="t")
    services.acknowledge(alert, actor, note="Called her.")
    row = client_for(bob).get("/caseload/").content.decode().split(f'id="patient-{dana.pk}"')[1]
    line = row.split("</tr>")[0].split('class="why-line">')[1].split("</div>")[0]
    assert "Acknowledged by Bob 27 Nov 16:05</a> Safety answer in a check-in" in line
    assert line.index("Acknowledged") < line.index("Answered yes."), "the state leads the row"


def test_a_row_with_more_than_one_flag_shows_the_first_and_opens_to_the_rest(
    northstar: Organization, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    services.raise_alert(dana, CRAVING_HIGH.flag("Craving 9 of 10."))
    client = client_for(bob)
    row = client.get("/caseload/").content.decode().split(f'id="patient-{dana.pk}"')[1]
    assert 'class="why-line">' in row.split("</tr>")[0], "one flag: one line"

    services.raise_alert(dana, CHECKIN_SAFETY.flag("Answered yes."))

    row = client.get("/caseload/").content.decode().split(f'id="patient-{dana.pk}"')[1]
    row = row.split("</tr>")[0]
    summary = row.split("<details><summary>")[1].split("</summary>")[0]
    assert "New</a> Safety answer in a check-in" in summary and "Answered yes." in summary
    rest = row.split("</summary>")[1].split("</details>")[0]
    assert 'class="alert-states"' in rest and "Craving 9 of 10." not in summary
    assert rest.count("alert-new") == 1, "the second alert, to open in place"


def test_the_sparkline_states_its_scale_and_range(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    [patient] = make_patients(northstar, 1)
    PatientRisk.objects.filter(patient=patient).update(craving_14d=[None] * 10 + [2, 9, 4, 3])
    html = client_for(bob).get(reverse("patients:caseload")).content.decode()
    cell = html.split('data-label="Craving (14 days)">')[1].split("</td>")[0]
    assert 'aria-label="Craving, last 14 days, scale 0 to 10:' in cell
    assert '2–9<span class="muted">/10</span>' in cell
    assert cell.count('class="axis"') == 2


@pytest.mark.parametrize(
    "query",
    ["?sort=name", "?sort=-checkin", "?sort=phq9", "?sort=days", "?q=Person", "?reviewed=stale",
     "?sort=name&q=Person+0&reviewed=stale&level=outpatient"],
)  # fmt: skip
def test_the_query_count_stays_constant_for_every_sort_search_and_filter(
    northstar: Organization, bob: User, client_for: ClientFor, query: str
) -> None:
    client = client_for(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("patients:caseload") + query)
        assert response.status_code == 200 and len(response.context["page"]) == 50
        return len(captured)

    # Every row has every column: a full first page in one segment, like 200 (a page that
    # runs out of them reads the rest with one more query; test_caseload_keyset.py).
    with_columns(make_patients(northstar, 60), gaps=False)
    sixty = queries()
    with_columns(make_patients(northstar, 140, first=60), gaps=False)
    for patient in Patient.objects.all()[:30]:
        RecordReview.objects.create(
            organization=northstar, patient=patient, reviewer=bob,
            reviewed_at=timezone.now() - dt.timedelta(days=30),
        )  # fmt: skip
    assert queries() == sixty
