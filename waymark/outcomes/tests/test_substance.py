"""Point 2 on hand-built cohorts: days abstinent (unknown days apart) and time to first lapse."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waymark.accounts.models import User
from waymark.organizations.models import LevelOfCare, Organization, Program
from waymark.outcomes.substance import days_abstinent, time_to_first_lapse
from waymark.outcomes.tests.conftest import checkins, day, patient, scope_for
from waymark.patients.models import Patient, Substance
from waymark.patients.services import discharge

RESIDENTIAL, DETOX = LevelOfCare.RESIDENTIAL, LevelOfCare.DETOX


def abstinence_cohort(northstar: Organization) -> None:
    one = patient(northstar, "pat1")  # 30 days observed, 10 check-ins
    checkins(one, range(10), {3: ["ketamine"], 5: ["ketamine", "alcohol"]})
    two = patient(northstar, "pat2", DETOX, admitted=20, substances=["ketamine"])
    checkins(two, [18, *range(20, 25)], {21: ["ketamine:prescribed"]})  # day 18: before
    patient(northstar, "pat3", admitted=-10, substances=["ketamine"])  # never checked in
    four = patient(northstar, "pat4", admitted=-40, substances=["alcohol"])
    discharge(four.episodes.get(), on=day(4), destination="home")  # observed days 0–4
    checkins(four, range(10), {2: ["alcohol"], 7: ["alcohol"]})


def test_it_counts_days_with_no_check_in_as_unknown_never_abstinent(
    northstar: Organization, bob: User, erin: Patient
) -> None:
    abstinence_cohort(northstar)
    checkins(erin, range(30), {1: ["ketamine"]})  # another organization's patient

    found = {row.substance: row for row in days_abstinent(scope_for(bob))}

    assert set(found) == {Substance.KETAMINE, Substance.ALCOHOL}
    ketamine, alcohol = found[Substance.KETAMINE], found[Substance.ALCOHOL]
    assert (ketamine.patients, ketamine.days) == (3, 30 + 10 + 30)
    assert (ketamine.abstinent, ketamine.used, ketamine.unknown) == (13, 2, 55)
    assert (alcohol.patients, alcohol.days) == (2, 30 + 5)
    assert (alcohol.abstinent, alcohol.used, alcohol.unknown) == (13, 2, 20)
    assert ketamine.share(ketamine.unknown) == 78.6
    assert ketamine.abstinent_of_known == 86.7


def test_it_narrows_to_a_program_and_counts_in_one_query(
    northstar: Organization, bob: User
) -> None:
    abstinence_cohort(northstar)
    detox = Program.objects.get(organization=northstar, level=DETOX)

    scope = scope_for(bob, program_id=detox.pk)
    with CaptureQueriesContext(connection) as queries:
        found = days_abstinent(scope)

    assert [(row.substance, row.days, row.abstinent, row.unknown) for row in found] == [
        (Substance.KETAMINE, 10, 5, 5)
    ]
    assert len(queries) == 1
    assert days_abstinent(scope_for(bob, level=LevelOfCare.OUTPATIENT)) == []


def lapse_cohort(northstar: Organization) -> None:
    one = patient(northstar, "pat1")  # a lapse 3 days after admission
    checkins(one, range(10), {3: ["ketamine"], 5: ["alcohol"]})
    two = patient(northstar, "pat2", DETOX, admitted=20)  # a medicine as prescribed: no lapse
    checkins(two, range(20, 25), {21: ["ketamine:prescribed"]})
    five = patient(northstar, "pat5", admitted=10)  # use before admission does not count
    checkins(five, [8, *range(10, 16)], {8: ["ketamine"]})
    six = patient(
        northstar, "pat6", admitted=2, goals={"ketamine": "reduction", "alcohol": "reduction"}
    )
    checkins(six, range(2, 7), {4: ["ketamine"]})  # use, but the goal is to use less
    patient(northstar, "pat7", DETOX, admitted=25)  # no check-in since: not on the curve
    patient(northstar, "pat8", admitted=-5)  # admitted before the period: not counted


def test_it_censors_at_the_last_check_in_and_stops_at_the_first_lapse(
    northstar: Organization, bob: User
) -> None:
    lapse_cohort(northstar)

    scope = scope_for(bob)
    with CaptureQueriesContext(connection) as queries:
        result = time_to_first_lapse(scope)

    by_program = {curve.program: sorted(curve.pairs) for curve in result.curves}
    assert by_program == {
        "Residential treatment": [(3, True), (4, False), (5, False)],
        "Withdrawal management": [(4, False)],
    }
    assert result.not_followed == 1
    residential = result.curves[0]
    assert [(s.time, s.at_risk, round(s.survival, 3)) for s in residential.steps] == [
        (3, 3, 0.667), (4, 2, 0.667), (5, 1, 0.667)
    ]  # fmt: skip
    assert residential.median is None
    assert result.comparison is not None and result.comparison[2].observed == (1, 0)
    assert len(queries) == 2  # the pairs, and the programs' names


def test_it_follows_from_discharge(northstar: Organization, bob: User) -> None:
    one = patient(northstar, "pat1", admitted=-20)
    discharge(one.episodes.get(), on=day(5), destination="home")
    checkins(one, range(12), {2: ["ketamine"], 9: ["alcohol"]})  # day 2: before discharge
    two = patient(northstar, "pat2", DETOX, admitted=-3)
    discharge(two.episodes.get(), on=day(1), destination="home")
    checkins(two, range(1, 8))
    patient(northstar, "pat3")  # still in care

    result = time_to_first_lapse(scope_for(bob), "discharge")

    assert {curve.program: curve.pairs for curve in result.curves} == {
        "Residential treatment": [(4, True)],
        "Withdrawal management": [(6, False)],
    }
