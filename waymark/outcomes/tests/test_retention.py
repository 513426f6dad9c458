"""Point 1 on a hand-built cohort: admissions, days, completion, step-down, readmission."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.organizations.models import LevelOfCare, Organization, Program
from waymark.outcomes.retention import retention
from waymark.outcomes.tests.conftest import day, patient, scope_for
from waymark.patients.models import DischargeDestination
from waymark.patients.services import admit, discharge, move_to_program


def test_it_counts_admissions_discharges_step_downs_and_readmissions(
    northstar: Organization, bob: User
) -> None:
    residential = Program.objects.get(organization=northstar, level=LevelOfCare.RESIDENTIAL)
    one = patient(
        northstar, "pat1", LevelOfCare.DETOX, admitted=-100
    )  # detox 10 days, then residential
    move_to_program(one.episodes.get(), residential, on=day(-90))
    discharge(one.episodes.get(), on=day(-60), destination=DischargeDestination.HOME)
    admit(one, residential, on=day(-40))  # readmitted 20 days later
    two = patient(northstar, "pat2", admitted=-100)
    discharge(two.episodes.get(), on=day(-80), destination=DischargeDestination.LEFT_EARLY)
    three = patient(northstar, "pat3", LevelOfCare.DETOX, admitted=-20)
    patient(northstar, "pat4", admitted=-300)  # neither started nor ended in the period
    discharge(three.episodes.get(), on=day(-15), destination=DischargeDestination.HOME)

    rows = {row.program: row for row in retention(scope_for(bob, start=day(-120)))}

    detox, stay = rows["Withdrawal management"], rows["Residential treatment"]
    assert (detox.admissions, detox.ended, detox.discharged, detox.moved_on) == (2, 2, 1, 1)
    assert (detox.stepped_down, detox.mean_days) == (1, 7.5)
    assert (stay.admissions, stay.ended, stay.discharged, stay.left_early, stay.completed) == (
        3, 2, 2, 1, 1
    )  # fmt: skip
    assert stay.mean_days == (30 + 20) / 2
    assert (stay.discharged_30, stay.readmitted_30, stay.discharged_90, stay.readmitted_90) == (
        2,
        1,
        1,
        0,
    )  # fmt: skip  (day -60 is less than 90 days before the end: not yet counted for 90)
    assert (detox.discharged_30, detox.readmitted_30, detox.discharged_90) == (1, 0, 0)
