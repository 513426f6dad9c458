"""The watch after a discharge on the caseload, the census and the discharge form (issue 10).

Seen in the first version: a discharged patient left the default caseload and the census
the day they were discharged, the aftercare plan was optional, and nothing asked for a
follow-up date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.access import Actor
from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.conftest import TODAY
from waymark.errors import ServiceError
from waymark.organizations.models import Organization
from waymark.organizations.services import current_membership
from waymark.patients.models import Episode, Patient
from waymark.patients.transitions import discharge_patient
from waymark.risk.models import PatientRisk, RiskSettings

ClientFor = Callable[[User | None], Client]
NOON_IN_NEW_YORK = dt.datetime(2026, 11, 27, 17, tzinfo=dt.UTC)  # Northstar's time zone


@pytest.fixture(autouse=True)
def on_today() -> Iterator[None]:
    with time_machine.travel(NOON_IN_NEW_YORK, tick=False):
        yield


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def as_actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user), request_id="test")


def discharge(patient: Patient, bob: User, on: dt.date, **plan: object) -> Episode:
    return discharge_patient(
        as_actor(bob), patient, on=on, destination="home", today=TODAY,
        aftercare_plan=str(plan.get("aftercare_plan", "Weekly group at Northstar.")),
        no_aftercare_reason=str(plan.get("no_aftercare_reason", "")),
        follow_up_on=plan.get("follow_up_on", on + dt.timedelta(days=7)),  # type: ignore[arg-type]
    )  # fmt: skip


def caseload(client: Client, query: str = "") -> tuple[list[str], str]:
    response = client.get(reverse("patients:caseload") + query)
    return [p.preferred_name for p in response.context["page"]], response.content.decode()


def row_of(content: str, patient: Patient) -> str:
    return content.split(f'id="patient-{patient.pk}"')[1].split("</tr>")[0]


# Point 1: recently discharged patients stay on the caseload, marked, with a filter.


def test_it_keeps_recently_discharged_patients_on_the_caseload_marked_with_the_day(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    discharge(dana, bob, days(-1))
    names, content = caseload(client_for(bob))
    assert sorted(names) == ["Alice", "Dana"]
    assert "Recently discharged (day 1 of 30)" in row_of(content, dana)
    assert "Recently discharged" not in row_of(content, alice)
    assert caseload(client_for(bob), "?show=recent")[0] == ["Dana"]
    assert '<option value="recent">Recently discharged only</option>' in content


def test_the_group_lasts_the_organizations_window(
    northstar: Organization, alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    RiskSettings.objects.create(organization=northstar, transition_days=14)
    discharge(dana, bob, days(-1), follow_up_on=days(5))
    with time_machine.travel(NOON_IN_NEW_YORK + dt.timedelta(days=13), tick=False):
        names, content = caseload(client_for(bob))
        assert "Dana" in names and "Recently discharged (day 14 of 14)" in content
    with time_machine.travel(NOON_IN_NEW_YORK + dt.timedelta(days=14), tick=False):
        assert caseload(client_for(bob))[0] == ["Alice"]
        assert caseload(client_for(bob), "?show=recent")[0] == []
        assert sorted(caseload(client_for(bob), "?show=all")[0]) == ["Alice", "Dana"]


def test_a_readmitted_patient_is_in_care_not_recently_discharged(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    from waymark.conftest import program
    from waymark.organizations.models import LevelOfCare
    from waymark.patients.services import admit

    discharge(dana, bob, days(-2))
    admit(dana, program(dana.organization, LevelOfCare.OUTPATIENT), on=TODAY)
    names, content = caseload(client_for(bob))
    assert sorted(names) == ["Alice", "Dana"]
    assert "Recently discharged (" not in row_of(content, dana)
    assert caseload(client_for(bob), "?show=recent")[0] == []


def test_the_census_shows_recently_discharged_patients_in_their_own_section(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    discharge(dana, bob, days(-2), aftercare_plan="", no_aftercare_reason="Moved away.")
    page = client_for(bob).get(reverse("patients:census"))
    assert [row.episode.patient for row in page.context["discharged"]] == [dana]
    row = page.context["discharged"][0]
    assert (row.day, row.program, row.follow_up_due) == (2, "Withdrawal management", False)
    section = page.content.decode().split('id="recently-discharged"')[1]
    assert "Dana" in section and "Recently discharged (day 2 of 30)" in section
    assert "Moved away." in section and f"{days(5):%-d %b %Y}" in section
    assert "Alice" not in section, "Alice is still in residential treatment"
    assert AuditEvent.objects.filter(object_type="census", patient=dana).exists()


# Point 3: a discharge needs an aftercare plan or the reason there is none, and a follow-up.


def post_discharge(client: Client, patient: Patient, **data: object) -> object:
    fields = {"on": TODAY.isoformat(), "destination": "home"} | data
    return client.post(reverse("patients:transition", args=[patient.pk, "discharge"]), fields)


def errors(response: object) -> dict[str, list[str]]:
    return dict(response.context["form"].errors)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"follow_up_on": days(7)}, "aftercare_plan", "or say below why there is none"),
        (
            {"follow_up_on": days(7), "aftercare_plan": "  "},
            "aftercare_plan",
            "or say below why there is none",
        ),
        (
            {"follow_up_on": days(7), "aftercare_plan": "Group", "no_aftercare_reason": "None"},
            "no_aftercare_reason",
            "There is an aftercare plan",
        ),
        ({"aftercare_plan": "Group"}, "follow_up_on", "Set the day someone should have been"),
        (
            {"aftercare_plan": "Group", "follow_up_on": TODAY},
            "follow_up_on",
            "after the discharge day",
        ),
        (
            {"aftercare_plan": "Group", "follow_up_on": days(-3)},
            "follow_up_on",
            "after the discharge",
        ),
        (
            {"aftercare_plan": "Group", "follow_up_on": days(30)},
            "follow_up_on",
            "must be by 26 Dec 2026, inside the 30-day watch",
        ),
    ],
)
def test_it_refuses_a_discharge_without_a_plan_or_a_sound_follow_up_and_writes_nothing(
    alice: Patient,
    bob: User,
    client_for: ClientFor,
    data: dict[str, object],
    field: str,
    words: str,
) -> None:
    response = post_discharge(client_for(bob), alice, **data)
    assert words in " ".join(errors(response)[field]), errors(response)
    episode = Episode.objects.get(patient=alice)
    assert (episode.discharged_on, episode.follow_up_on, episode.aftercare_plan) == (None, None, "")
    assert alice.stays.filter(ended_on__isnull=True).exists()
    assert not AuditEvent.objects.filter(object_type="discharge").exists()


def test_it_saves_the_reason_there_is_no_plan_and_the_follow_up_date(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    response = post_discharge(
        client_for(bob), alice, no_aftercare_reason=" Declined further care. ",
        follow_up_on=days(29),
    )  # fmt: skip
    assert response.status_code == 302  # type: ignore[attr-defined]
    episode = Episode.objects.get(patient=alice)
    assert (episode.aftercare_plan, episode.no_aftercare_reason) == ("", "Declined further care.")
    assert episode.follow_up_on == days(29)
    detail = client_for(bob).get(reverse("patients:detail", args=[alice.pk])).content.decode()
    assert "No aftercare plan:</span> Declined further care." in detail
    assert f"{days(29):%-d %b %Y}" in detail


def test_it_suggests_a_follow_up_a_week_after_today(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    page = client_for(bob).get(reverse("patients:transition", args=[alice.pk, "discharge"]))
    assert page.context["form"]["follow_up_on"].value() == days(7)
    assert 'name="no_aftercare_reason"' in page.content.decode()


def test_the_service_refuses_the_same_way_for_every_caller(
    northstar: Organization, alice: Patient, bob: User
) -> None:
    RiskSettings.objects.create(organization=northstar, transition_days=10)
    with pytest.raises(ServiceError) as refused:
        discharge(alice, bob, TODAY, aftercare_plan="", follow_up_on=days(10))
    assert set(refused.value.errors) == {"aftercare_plan", "follow_up_on"}
    assert "by 6 Dec 2026, inside the 10-day watch" in refused.value.errors["follow_up_on"][0]
    assert Episode.objects.get(patient=alice).discharged_on is None


# Point 4 (as the caseload shows it; the job is in notifications/tests/test_follow_up.py).


def test_it_marks_follow_up_due_on_the_caseload_and_the_census(
    alice: Patient, dana: Patient, bob: User, client_for: ClientFor
) -> None:
    discharge(alice, bob, days(-9), follow_up_on=days(-2))
    risk = PatientRisk.objects.get(patient=alice)
    assert [r["rule"] for r in risk.reasons] == [
        "discharge.follow_up_due",
        "transition.recent_discharge",
    ]
    _, content = caseload(client_for(bob))
    assert "Follow-up due" in row_of(content, alice)
    assert "Follow-up due" not in row_of(content, dana)
    census = client_for(bob).get(reverse("patients:census"))
    assert census.context["discharged"][0].follow_up_due
    assert risk.assessed_at <= timezone.now()


# Point 5: being in the watch is visible without another flag.


def test_a_quiet_discharge_is_visible_with_its_reason_and_no_level(
    dana: Patient, bob: User, client_for: ClientFor
) -> None:
    discharge(dana, bob, days(-1))
    risk = PatientRisk.objects.get(patient=dana)
    assert risk.level == 0
    assert [r["reason"] for r in risk.reasons] == [
        f"Discharged {days(-1):%-d %b} from detox: watched until {days(29):%-d %b} "
        "(missed check-ins count one level higher)."
    ]
    _, content = caseload(client_for(bob))
    assert "watched until" in row_of(content, dana) and "No flags" not in row_of(content, dana)
