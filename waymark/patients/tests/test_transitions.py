from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.conftest import TODAY, program
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Episode, Patient, ProgramStay

ClientFor = Callable[[User | None], Client]
# Every test here runs on the one frozen clock (waymark/conftest.py): today is TODAY.
pytestmark = pytest.mark.usefixtures("frozen")


def post(client: Client, patient: Patient, kind: str, **data: object) -> object:
    return client.post(reverse("patients:transition", args=[patient.pk, kind]), data)


def errors(response: object) -> dict[str, list[str]]:
    return dict(response.context["form"].errors)  # type: ignore[attr-defined]


def test_it_moves_a_patient_to_the_next_level_of_care(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    outpatient = program(alice.organization, LevelOfCare.OUTPATIENT)
    response = post(client_for(bob), alice, "move", program=outpatient.pk, on=TODAY.isoformat())
    assert response.status_code == 302  # type: ignore[attr-defined]
    levels = list(
        ProgramStay.objects.filter(patient=alice).values_list("program__level", "ended_on")
    )
    assert levels == [(LevelOfCare.RESIDENTIAL, TODAY), (LevelOfCare.OUTPATIENT, None)]
    assert AuditEvent.objects.filter(object_type="program_stay", actor=bob).exists()


def test_it_refuses_bad_moves_and_changes_nothing(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    outpatient = program(alice.organization, LevelOfCare.OUTPATIENT)
    residential = program(alice.organization, LevelOfCare.RESIDENTIAL)
    too_early = (TODAY - dt.timedelta(days=60)).isoformat()
    cases = [
        ({"program": outpatient.pk, "on": too_early}, "on", "before the current stay started"),
        (
            {"program": outpatient.pk, "on": (TODAY + dt.timedelta(days=2)).isoformat()},
            "on",
            "future",
        ),
        (
            {"program": residential.pk, "on": TODAY.isoformat()},
            "program",
            "already in this program",
        ),
        ({"program": outpatient.pk, "on": "31/02/2026"}, "on", "valid date"),
    ]
    for data, field, words in cases:
        response = post(client, alice, "move", **data)
        assert words in " ".join(errors(response)[field]), (data, errors(response))
    assert ProgramStay.objects.filter(patient=alice).count() == 1


def test_it_discharges_with_destination_and_aftercare_plan(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    response = post(client, alice, "discharge", on=TODAY.isoformat(), destination="")
    assert "needs a destination" in " ".join(errors(response)["destination"])
    post(
        client, alice, "discharge", on=TODAY.isoformat(), destination="step_down",
        aftercare_plan="Weekly outpatient group; sober living at Maple House.",
        follow_up_on=(TODAY + dt.timedelta(days=7)).isoformat(),
    )  # fmt: skip
    episode = Episode.objects.get(patient=alice)
    assert (episode.discharged_on, episode.discharge_destination) == (TODAY, "step_down")
    assert "Maple House" in episode.aftercare_plan
    assert episode.follow_up_on == TODAY + dt.timedelta(days=7)
    assert not ProgramStay.objects.filter(patient=alice, ended_on__isnull=True).exists()


def test_it_readmits_without_overlapping_the_last_episode(
    alice: Patient, bob: User, client_for: ClientFor
) -> None:
    client = client_for(bob)
    post(
        client,
        alice,
        "discharge",
        on=(TODAY - dt.timedelta(days=5)).isoformat(),
        destination="home",
        no_aftercare_reason="Declined further care.",
        follow_up_on=(TODAY - dt.timedelta(days=1)).isoformat(),
    )
    assert Episode.objects.get(patient=alice).discharged_on == TODAY - dt.timedelta(days=5)
    detox = program(alice.organization, LevelOfCare.DETOX)
    response = post(
        client, alice, "admit", program=detox.pk, on=(TODAY - dt.timedelta(days=6)).isoformat()
    )
    assert "overlap the last episode" in " ".join(errors(response)["on"])
    response = post(
        client, alice, "admit", program=detox.pk, on=TODAY.isoformat(),
        planned_discharge_on=(TODAY - dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert "before the admission" in " ".join(errors(response)["planned_discharge_on"])
    assert Episode.objects.filter(patient=alice).count() == 1
    response = post(client, alice, "admit", program=detox.pk, on=TODAY.isoformat())
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Episode.objects.filter(patient=alice, discharged_on__isnull=True).count() == 1


def test_it_shows_the_census_with_days_and_expected_discharge(
    alice: Patient, dana: Patient, erin: Patient, bob: User, client_for: ClientFor
) -> None:
    page = client_for(bob).get(reverse("patients:census"))
    rows = {
        program.name: [(row["stay"].patient.preferred_name, row["days"]) for row in stays]
        for program, stays in page.context["by_program"].items()
    }
    assert rows == {
        "Residential treatment": [("Alice", 20)],
        "Withdrawal management": [("Dana", 3)],
    }
    residential = page.context["by_program"][program(alice.organization, LevelOfCare.RESIDENTIAL)]
    assert residential[0]["expected"] == TODAY - dt.timedelta(days=20) + dt.timedelta(days=90)
