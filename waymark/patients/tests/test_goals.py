"""A goal for each substance of concern: not using at all (a use is a lapse) or using less;
tobacco has none unless it is chosen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.conftest import make_user
from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient
from waymark.patients.services import enroll_patient
from waymark.patients.transitions import organization_today

ClientFor = Callable[[User | None], Client]
BORN = dt.date(1990, 2, 3)


def test_a_new_patient_aims_not_to_use_each_substance_of_concern_except_tobacco(
    northstar: Organization,
) -> None:
    patient = enroll_patient(
        northstar, make_user("kim"), preferred_name="Kim", date_of_birth=BORN,
        substances=["tobacco", "alcohol", "ketamine"],
    )  # fmt: skip

    assert patient.substances == ["ketamine", "alcohol", "tobacco"]
    assert patient.substance_goals == {"ketamine": "abstinence", "alcohol": "abstinence"}


def test_it_keeps_goals_chosen_at_enrolment(northstar: Organization) -> None:
    patient = enroll_patient(
        northstar, make_user("kim"), preferred_name="Kim", date_of_birth=BORN,
        substances=["ketamine", "alcohol", "tobacco"],
        substance_goals={"tobacco": "abstinence", "alcohol": "reduction"},
    )  # fmt: skip

    assert patient.substance_goals == {"alcohol": "reduction", "tobacco": "abstinence"}


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ({"opioids": "abstinence"}, "add Opioids there too"),
        ({"ketamine": "moderation"}, "Unknown goal: moderation"),
    ],
)
def test_it_refuses_a_goal_it_cannot_keep_and_saves_nothing(
    northstar: Organization, goals: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        enroll_patient(
            northstar, make_user("kim"), preferred_name="Kim", date_of_birth=BORN,
            substances=["ketamine"], substance_goals=goals,
        )  # fmt: skip
    assert not Patient.objects.exists()


def _enrolment(**changes: object) -> dict[str, object]:
    outpatient = Program.objects.get(organization__slug="northstar", level="outpatient")
    return {
        "username": "jordan",
        "email": "jordan@example.org",
        "preferred_name": "Jordan",
        "date_of_birth": "1990-02-03",
        "timezone": "America/New_York",
        "substances": ["ketamine", "tobacco"],
        "program": outpatient.pk,
        "admitted_on": organization_today(outpatient.organization).isoformat(),
        **changes,
    }


def test_an_admin_enrols_with_the_default_goals_or_chosen_ones(
    northstar: Organization, olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    url = reverse("admin:patients_patient_add")

    assert client.post(url, _enrolment()).status_code == 302
    chosen = _enrolment(
        username="riley", preferred_name="Riley", goal_not_using=["ketamine", "tobacco"]
    )
    assert client.post(url, chosen).status_code == 302

    goals = dict(Patient.objects.values_list("preferred_name", "substance_goals"))
    assert goals == {
        "Jordan": {"ketamine": "abstinence"},
        "Riley": {"ketamine": "abstinence", "tobacco": "abstinence"},
    }


def test_an_admin_changes_goals_and_is_told_which_field_is_wrong(
    alice: Patient, olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    url = reverse("admin:patients_patient_change", args=[alice.pk])
    form = client.get(url).context["adminform"].form
    assert sorted(form["goal_not_using"].value()) == ["alcohol", "ketamine"]
    details = {
        "preferred_name": "Alice", "date_of_birth": "1994-05-17",
        "timezone": "America/New_York", "substances": ["ketamine", "alcohol"],
        "care_team-TOTAL_FORMS": 0, "care_team-INITIAL_FORMS": 0,
        "episodes-TOTAL_FORMS": 0, "episodes-INITIAL_FORMS": 0,
    }  # fmt: skip

    both = client.post(
        url, {**details, "goal_not_using": ["alcohol"], "goal_using_less": ["alcohol"]}
    )
    outside = client.post(url, {**details, "goal_not_using": ["ketamine", "ghb"]})
    changed = client.post(
        url, {**details, "goal_not_using": ["ketamine"], "goal_using_less": ["alcohol"]}
    )

    assert "Choose one goal for Alcohol" in str(
        both.context["adminform"].form.errors["goal_using_less"]
    )
    assert "add GHB / GBL there too" in str(
        outside.context["adminform"].form.errors["goal_not_using"]
    )
    assert changed.status_code == 302
    alice.refresh_from_db()
    assert alice.substance_goals == {"ketamine": "abstinence", "alcohol": "reduction"}
