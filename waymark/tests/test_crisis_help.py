"""ONE crisis-help payload (organizations/crisis.py): one dataclass built in one function,
one template include on every page that shows it, one API schema, and the service
worker's offline pages filled from the same include."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers, api_body
from waymark.conftest import NOW, TODAY
from waymark.organizations.crisis import (
    NOT_WATCHED,
    CareTeamContact,
    CrisisHelp,
    HelpLine,
    Person,
    crisis_help_defaults,
    crisis_help_for,
)
from waymark.organizations.models import Organization
from waymark.organizations.schemas import CrisisHelpOut
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient
from waymark.plans.services import SAFETY, save_plan
from waymark.questionnaires.tests.helpers import make_due, phq9
from waymark.support.models import Relationship, SupporterLink

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")
WAYMARK = Path(__file__).resolve().parent.parent
MARKER = "data-crisis-help"
CLINIC = "Call the clinic on 555-0199, Monday to Friday 9am to 5pm."


@pytest.fixture
def alice(alice: Patient, sam: User) -> Patient:
    """Alice with her own people in her plans and among her supporters, and an organization
    that says how to reach it (a phone, its hours, its own words)."""
    organization = alice.organization
    organization.care_team_contact = CLINIC
    organization.care_team_phone = "555-0199"
    organization.care_team_hours = "Monday to Friday, 9am to 5pm"
    organization.save()
    actor = Actor(user=alice.user, membership=current_membership(alice.user))
    save_plan(alice, {"contacts": [{"name": "My sister", "phone": "555-0100"}]}, actor=actor)
    save_plan(alice, {"people": [{"name": "Jo", "phone": "555-0111"}]}, actor=actor, kind=SAFETY)
    SupporterLink.objects.create(
        organization=organization, patient=alice, supporter=sam, name="Sam",
        relationship=Relationship.SPONSOR, email="sam@example.org", phone="555-0122",
        invited_at=NOW,
    )  # fmt: skip
    return alice


def help_of(html: str) -> str:
    """The crisis-help include's part of a page (it holds no nested <div>)."""
    start = html.index(MARKER)
    return html[start : html.index("</div>", start)]


def assert_alices_help(html: str) -> None:
    """Lines, her own people (relapse plan, safety plan, supporter) with one-tap calls, the
    care team's phone and hours, the line that messages are not watched, her safety plan."""
    help_ = help_of(html)
    assert 'href="tel:911"' in help_ and 'href="tel:988"' in help_
    assert "My sister" in help_ and 'href="tel:555-0100"' in help_
    assert "Jo" in help_ and 'href="tel:555-0111"' in help_
    assert "Sam" in help_ and 'href="tel:555-0122"' in help_
    assert 'href="tel:555-0199"' in help_ and "(Monday to Friday, 9am to 5pm)" in help_
    assert CLINIC in help_ and "not watched around the clock" in help_
    assert "don&#x27;t wait for a reply" in help_
    assert f'href="{reverse("plans:my_safety_plan")}"' in help_


# --- the payload, built once -----------------------------------------------------------


def test_it_builds_a_patients_help_from_the_organization_their_plan_and_care_team(
    alice: Patient, bob: User
) -> None:
    help_ = crisis_help_for(alice)

    assert help_.emergency_number == "911" and help_.emergency_tel == "tel:911"
    assert help_.crisis_lines[0] == HelpLine(
        "988 Suicide & Crisis Lifeline",
        "988",
        "988",
        "Call or text any time if you are in crisis or thinking about suicide.",
    )
    assert [line.tel for line in help_.crisis_lines] == ["tel:988", "tel:1-800-662-4357"]
    assert help_.people == (
        Person("My sister", "555-0100"),
        Person("Jo", "555-0111"),
        Person("Sam", "555-0122"),
    )
    assert help_.care_team == (CareTeamContact(str(bob), bob.email),)
    assert help_.care_team_contact == CLINIC and help_.not_watched == NOT_WATCHED
    assert (help_.care_team_tel, help_.care_team_hours) == (
        "tel:555-0199",
        "Monday to Friday, 9am to 5pm",
    )
    assert help_.safety_plan_url == reverse("plans:my_safety_plan")
    with pytest.raises(dataclasses.FrozenInstanceError):
        help_.emergency_number = "000"  # type: ignore[misc]


def test_it_tells_the_patient_the_care_team_was_told_after_a_safety_answer(
    alice: Patient,
) -> None:
    assert "care team has been told" in crisis_help_for(alice, after_safety_answer=True).message
    assert "care team has been told" not in crisis_help_for(alice).message


def test_it_gives_anyone_else_their_organizations_lines_only(
    alice: Patient, northstar: Organization
) -> None:
    help_ = crisis_help_for(northstar)

    assert help_.crisis_lines == crisis_help_for(alice).crisis_lines
    assert (help_.people, help_.care_team, help_.care_team_contact) == ((), (), "")
    assert (help_.care_team_phone, help_.safety_plan_url) == ("", "")


def test_it_gives_someone_signed_out_every_locales_defaults() -> None:
    us, uk = crisis_help_defaults()

    assert (us.region, us.emergency_number) == ("In the United States", "911")
    assert (uk.region, uk.emergency_number) == ("In the United Kingdom", "999")
    assert "Samaritans" in [line.name for line in uk.crisis_lines]


def test_only_the_one_builder_reads_crisis_lines_and_only_the_include_lists_them() -> None:
    readers = [
        path.relative_to(WAYMARK)
        for path in WAYMARK.rglob("*.py")
        if "tests" not in path.parts
        and re.search(r"CrisisLine\.objects\.(?!bulk_create)|\.crisis_lines\.", path.read_text())
    ]
    listers = [
        path.relative_to(WAYMARK)
        for path in WAYMARK.rglob("templates/**/*.html")
        if re.search(r"for \w+ in [\w.]*crisis_lines\b", path.read_text())
    ]
    assert [str(path) for path in readers] == ["organizations/crisis.py"]
    assert [str(path) for path in listers] == [
        "organizations/templates/organizations/_crisis_lines.html"
    ]


# --- every page that shows crisis help, through the one include ------------------------


def test_the_checkin_form_carries_it_for_a_yes_kept_offline(
    alice: Patient, client_for: ClientFor
) -> None:
    html = client_for(alice.user).get(reverse("checkins:today")).content.decode()

    offline = html[html.index('id="offline-crisis"') :]
    assert offline.index(MARKER) < offline.index("</section>")
    assert_alices_help(offline)


def test_the_checkin_result_shows_it_after_a_yes(alice: Patient, client_for: ClientFor) -> None:
    submit_checkin(alice, answers(safety_concern=True), key=uuid.uuid4())

    html = client_for(alice.user).get(reverse("checkins:done", args=[TODAY.isoformat()]))
    crisis = html.content.decode().split('aria-labelledby="crisis-title"')[1]
    assert_alices_help(crisis)


def test_the_overdose_guidance_after_a_break_shows_it(
    alice: Patient, client_for: ClientFor, frozen: Any
) -> None:
    ten_days = dt.timedelta(days=10)
    frozen.move_to(NOW - ten_days)
    submit_checkin(alice, answers(TODAY - ten_days, uses=[("alcohol", "")]), key=uuid.uuid4())
    frozen.move_to(NOW)
    submit_checkin(alice, answers(uses=[("alcohol", "3 glasses")]), key=uuid.uuid4())

    html = client_for(alice.user).get(reverse("checkins:done", args=[TODAY.isoformat()]))
    guidance = html.content.decode().split('aria-labelledby="tolerance-title"')[1]
    assert_alices_help(guidance.split("</section>")[0])


def test_the_withdrawal_log_shows_it(dana: Patient, client_for: ClientFor) -> None:
    html = client_for(dana.user).get(reverse("checkins:withdrawal")).content.decode()

    assert 'href="tel:911"' in help_of(html) and 'href="tel:988"' in help_of(html)


def test_the_questionnaire_pages_show_it_after_a_safety_answer(
    alice: Patient, client_for: ClientFor
) -> None:
    make_due(alice, "phq-9")
    client = client_for(alice.user)
    fill = reverse("questionnaires:fill", args=["phq-9"])
    answered = phq9(item9=2)
    for number, items in enumerate((["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]), 1):
        client.post(f"{fill}?page={number}", {f"a-{i}": str(answered[i]) for i in items})

    page = client.get(f"{fill}?page=4").content.decode()
    review = client.get(reverse("questionnaires:review", args=["phq-9"])).content.decode()
    client.post(f"{fill}?page=4", {"a-10": "1"})
    result = client.get(client.post(reverse("questionnaires:review", args=["phq-9"]))["Location"])

    for html in (page, review, result.content.decode()):
        assert_alices_help(html.split('class="card crisis"')[1])


def test_the_help_page_shows_it_signed_in_and_signed_out(
    alice: Patient, client_for: ClientFor, client: Client
) -> None:
    assert_alices_help(client_for(alice.user).get(reverse("help")).content.decode())

    signed_out = client.get(reverse("help")).content.decode()
    assert signed_out.count(MARKER) == 2  # one per locale
    assert "In the United Kingdom" in signed_out and 'href="tel:999"' in signed_out


def test_the_service_worker_keeps_the_same_include_for_its_offline_pages(
    alice: Patient, client_for: ClientFor, client: Client
) -> None:
    worker = client.get(reverse("checkins:service_worker")).content.decode()
    fragment = client_for(alice.user).get(reverse("help_offline"))

    assert f'var CRISIS_URL = "{reverse("help_offline")}";' in worker
    # Alice's own people to call: no HTTP cache keeps it (issue 12 point 3); the service
    # worker keeps it in her own offline cache.
    assert fragment["Cache-Control"] == "no-store, private"
    assert_alices_help(fragment.content.decode())
    assert client.get(reverse("help_offline")).content.decode().count(MARKER) == 2


# --- one API schema ---------------------------------------------------------------------


def test_every_api_response_that_carries_it_has_the_one_shape(
    alice: Patient, client_for: ClientFor
) -> None:
    client = client_for(alice.user)
    make_due(alice, "phq-9")

    def post(url: str, body: dict[str, Any]) -> Any:
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()["crisis_help"]

    from_checkin = post("/api/v1/checkins", api_body(safety_concern=True))
    from_questionnaire = post(
        "/api/v1/me/questionnaires/phq-9/responses", {"answers": phq9(item9=1)}
    )

    for payload in (from_checkin, from_questionnaire):
        assert set(payload) == set(CrisisHelpOut.model_fields)
        CrisisHelpOut.model_validate(payload)
    assert from_checkin == from_questionnaire
    assert from_checkin["people"] == [
        {"name": "My sister", "phone": "555-0100"},
        {"name": "Jo", "phone": "555-0111"},
        {"name": "Sam", "phone": "555-0122"},
    ]
    assert from_checkin["care_team_phone"] == "555-0199"
    assert from_checkin["safety_plan_url"] == reverse("plans:my_safety_plan")
    assert from_checkin["crisis_lines"][1]["text_number"] == ""
    assert from_checkin == json.loads(
        CrisisHelpOut.model_validate(
            crisis_help_for(alice, after_safety_answer=True)
        ).model_dump_json()
    )


def test_the_openapi_has_one_crisis_help_schema_every_operation_refers_to(
    client: Client,
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    assert [name for name in schemas if "CrisisHelp" in name] == ["CrisisHelpOut"]
    referring = sorted(
        name
        for name, schema in schemas.items()
        if "#/components/schemas/CrisisHelpOut" in json.dumps(schema)
    )
    assert referring == ["CheckInSavedOut", "ResponseOut"]


def test_crisis_help_is_a_frozen_dataclass() -> None:
    assert dataclasses.is_dataclass(CrisisHelp)
    assert CrisisHelp.__dataclass_params__.frozen  # type: ignore[attr-defined]
