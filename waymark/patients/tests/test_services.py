from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from waymark.accounts.models import User
from waymark.conftest import TODAY, make_user, program
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import DischargeDestination, Episode, Patient, ProgramStay
from waymark.patients.services import (
    admit,
    assign_clinician,
    discharge,
    enroll_patient,
    move_to_program,
)


def test_it_preselects_ketamine(northstar: Organization) -> None:
    patient = enroll_patient(
        northstar, make_user("kim"), preferred_name="Kim", date_of_birth=dt.date(2000, 1, 1)
    )
    assert patient.substances == ["ketamine"]
    assert patient.timezone == "America/New_York"


def test_it_refuses_an_unknown_substance_and_saves_nothing(northstar: Organization) -> None:
    user = make_user("kim")
    with pytest.raises(ValidationError, match="glue"):
        enroll_patient(
            northstar, user, preferred_name="Kim", date_of_birth=dt.date(2000, 1, 1),
            substances=["ketamine", "glue"],
        )  # fmt: skip
    assert not Patient.objects.exists()
    assert not user.memberships.exists()


def test_it_refuses_a_program_of_another_organization(
    alice: Patient, harbour: Organization
) -> None:
    episode = Episode.objects.get(patient=alice)
    with pytest.raises(ValidationError, match="another organization"):
        move_to_program(episode, program(harbour, LevelOfCare.OUTPATIENT), on=TODAY)
    assert ProgramStay.objects.filter(patient=alice).count() == 1


def test_it_refuses_a_second_open_episode(alice: Patient) -> None:
    with pytest.raises(ValidationError, match="already has an open episode"):
        admit(alice, program(alice.organization, LevelOfCare.DETOX), on=TODAY)


def test_it_moves_between_levels_of_care_without_overlap(alice: Patient) -> None:
    episode = Episode.objects.get(patient=alice)
    move_to_program(episode, program(alice.organization, LevelOfCare.OUTPATIENT), on=TODAY)
    stays = list(ProgramStay.objects.filter(episode=episode).order_by("started_on"))
    assert [(s.program.level, s.ended_on) for s in stays] == [
        (LevelOfCare.RESIDENTIAL, TODAY),
        (LevelOfCare.OUTPATIENT, None),
    ]


def test_it_refuses_a_move_before_the_current_stay_began(alice: Patient) -> None:
    episode = Episode.objects.get(patient=alice)
    with pytest.raises(ValidationError, match="before the current stay"):
        move_to_program(
            episode,
            program(alice.organization, LevelOfCare.OUTPATIENT),
            on=TODAY - dt.timedelta(days=90),
        )
    assert ProgramStay.objects.filter(episode=episode, ended_on__isnull=True).count() == 1


def test_it_discharges_with_a_destination(alice: Patient) -> None:
    episode = Episode.objects.get(patient=alice)
    with pytest.raises(ValidationError, match="destination"):
        discharge(episode, on=TODAY, destination="")
    episode.refresh_from_db()
    assert episode.is_open
    discharge(episode, on=TODAY, destination=DischargeDestination.STEP_DOWN)
    assert not ProgramStay.objects.filter(episode=episode, ended_on__isnull=True).exists()


def test_the_database_refuses_a_stay_that_ends_before_it_starts(alice: Patient) -> None:
    stay = ProgramStay.objects.get(patient=alice)
    stay.ended_on = stay.started_on - dt.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        stay.save()


def test_it_adds_only_clinicians_of_the_organization_to_the_care_team(
    alice: Patient, carol: User, sam: User
) -> None:
    for outsider in (carol, sam):
        with pytest.raises(ValidationError, match="Only a clinician"):
            assign_clinician(alice, outsider)
    assert list(alice.care_team.values_list("clinician__username", flat=True)) == ["bob"]
