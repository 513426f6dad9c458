"""The measures' roll-up (`StayScores`) kept right at report time: after each change (a new
answer, a correction, a moved start, a stay undone, a late discharge) the next report equals
the per-patient reference, the second time as well as the first; another organization's
rows are neither read nor touched."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.conftest import program
from waymark.organizations.models import LevelOfCare, Organization
from waymark.outcomes.measures import PHQ9, measure_table, measure_tables
from waymark.outcomes.models import StayScores
from waymark.outcomes.tests.conftest import day, patient, response, scope_for
from waymark.outcomes.tests.test_measures import figures, reference
from waymark.patients.models import ProgramStay
from waymark.patients.services import discharge, move_to_program


def equals_reference(scope: object) -> None:
    for table in measure_tables(scope):  # type: ignore[arg-type]
        assert figures(table) == reference(scope, table.instrument)


def test_it_recomputes_a_stay_after_a_new_answer_a_correction_and_a_moved_start(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -98, 20)  # baseline
    week_4 = response(a, "phq-9", -72, 12)
    scope = scope_for(bob, start=day(-120))

    first = measure_table(scope, PHQ9).total
    assert (first.baseline, first.weeks[4].followed, first.weeks[8].followed) == (1, 1, 0)
    assert StayScores.objects.filter(patient=a).count() == 1  # one stay, PHQ-9 asked for
    equals_reference(scope)

    response(a, "phq-9", -43, 8)  # a new answer: week 8
    second = measure_table(scope, PHQ9).total
    assert (second.weeks[8].followed, second.weeks[8].mean_change) == (1, -12.0)
    equals_reference(scope)

    response(a, "phq-9", -72, 30, corrects=week_4, hour=11)  # week 4 corrected: worse
    third = measure_table(scope, PHQ9).total
    assert (third.weeks[4].deteriorated, third.weeks[4].mean_change) == (1, 10.0)
    equals_reference(scope)

    ProgramStay.objects.filter(patient=a).update(started_on=day(-80))  # the start corrected
    moved = measure_table(scope, PHQ9).total
    assert (moved.baseline, moved.weeks[4].followed, moved.weeks[4].mean_change) == (1, 1, -22.0)
    rows = StayScores.objects.filter(patient=a, questionnaire_key="phq-9")
    assert list(rows.values_list("started_on", flat=True)) == [day(-80)]
    equals_reference(scope)


def test_it_recomputes_a_stay_whose_start_moved_with_the_same_answers_in_reach(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -80, 20)  # 20 days after the start: no baseline
    response(a, "phq-9", -52, 10)
    scope = scope_for(bob, start=day(-120))
    assert measure_table(scope, PHQ9).total.baseline == 0

    ProgramStay.objects.filter(patient=a).update(started_on=day(-90))  # both still in reach

    total = measure_table(scope, PHQ9).total
    assert (total.baseline, total.weeks[4].followed, total.weeks[4].mean_change) == (1, 1, -10.0)
    equals_reference(scope)


def test_it_recomputes_a_stay_when_an_answer_in_reach_is_corrected_out_of_it(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -98, 20)
    week_12 = response(a, "phq-9", -13, 12)  # the stay's reach ends on day 12
    scope = scope_for(bob, start=day(-120))
    assert measure_table(scope, PHQ9).total.weeks[12].followed == 1

    response(a, "phq-9", 15, 2, corrects=week_12)  # corrected weeks later

    assert measure_table(scope, PHQ9).total.weeks[12].followed == 0
    equals_reference(scope)


def test_it_forgets_a_stay_undone_and_follows_a_late_discharge(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    episode = a.episodes.get()
    later = move_to_program(episode, program(northstar, LevelOfCare.OUTPATIENT), on=day(-60))
    response(a, "phq-9", -62, 20)  # near the second stay's start only
    response(a, "phq-9", -34, 10)  # its week 4
    scope = scope_for(bob, start=day(-120))
    outpatient = scope_for(bob, start=day(-120), level=LevelOfCare.OUTPATIENT)
    assert measure_table(outpatient, PHQ9).total.baseline == 1
    assert measure_table(scope, PHQ9).total.baseline == 1

    ProgramStay.objects.filter(pk=later.pk).delete()  # the move recorded by mistake
    ProgramStay.objects.filter(episode=episode).update(ended_on=None)

    assert measure_table(scope, PHQ9).total.baseline == 0  # -62 is near no stay now
    assert not StayScores.objects.filter(stay_id=later.pk).exists()
    equals_reference(scope)

    recent = scope_for(bob, start=day(-30))
    assert measure_table(recent, PHQ9).total.patients == 1
    discharge(episode, on=day(-40), destination="home")  # recorded late

    assert measure_table(recent, PHQ9).total.patients == 0
    equals_reference(scope)


def test_it_keeps_each_organizations_rows_apart(
    northstar: Organization, harbour: Organization, bob: User, carol: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -98, 20)
    erin = patient(harbour, "erin", LevelOfCare.OUTPATIENT, admitted=-100)
    response(erin, "phq-9", -99, 15)
    response(erin, "phq-9", -70, 5)
    ours, theirs = scope_for(bob, start=day(-120)), scope_for(carol, start=day(-120))
    measure_tables(ours)
    assert not StayScores.objects.filter(organization=harbour).exists()
    before = measure_table(theirs, PHQ9).total
    kept = list(StayScores.objects.filter(organization=harbour).values())

    response(a, "phq-9", -70, 4)
    ours_now = measure_table(ours, PHQ9).total

    assert (ours_now.patients, ours_now.weeks[4].followed, ours_now.weeks[4].response) == (1, 1, 1)
    assert list(StayScores.objects.filter(organization=harbour).values()) == kept
    assert measure_table(theirs, PHQ9).total.weeks == before.weeks
    assert (before.patients, before.weeks[4].mean_change) == (1, -10.0)
    equals_reference(ours)  # (the reference names programs, the same in both organizations)
