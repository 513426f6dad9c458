"""Point 3 on a hand-built cohort: baseline, nearest score in a window, response, remission,
reliable change, a corrected response, a patient with no baseline."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.organizations.models import LevelOfCare, Organization
from waymark.outcomes.measures import GAD7, PHQ9, measure_table
from waymark.outcomes.tests.conftest import day, patient, response, scope_for
from waymark.patients.services import assign_clinician


def cohort(northstar: Organization, bob: User) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    assign_clinician(a, bob, primary=True)
    response(a, "phq-9", -110, 27)  # before the baseline window
    response(a, "phq-9", -98, 20)  # baseline
    response(a, "phq-9", -72, 12)  # week 4 (target -70): 2 days off, nearer than -66
    response(a, "phq-9", -66, 9)
    response(a, "phq-9", -40, 8)  # week 8 (target -42)
    response(a, "phq-9", -14, 4)  # week 12 (target -14)
    b = patient(northstar, "pat2", admitted=-100)
    response(b, "phq-9", -95, 6)  # baseline
    first = response(b, "phq-9", -67, 14)
    response(b, "phq-9", -67, 11, corrects=first)  # the correction counts, not the first
    response(b, "phq-9", 4, 3)  # 15 days from week 12's target: outside its window
    c = patient(northstar, "pat3", LevelOfCare.DETOX, admitted=-100)
    response(c, "phq-9", -60, 10)  # 40 days after admission: no baseline


def test_it_counts_response_remission_and_reliable_change_by_week(
    northstar: Organization, bob: User
) -> None:
    cohort(northstar, bob)

    table = measure_table(scope_for(bob, start=day(-120)), PHQ9)

    total = table.total
    assert (total.patients, total.baseline, total.no_baseline) == (3, 2, 1)
    four, eight, twelve = total.weeks[4], total.weeks[8], total.weeks[12]
    assert (four.followed, four.response, four.remission, four.improved, four.deteriorated) == (
        2, 0, 0, 1, 1
    )  # fmt: skip
    assert four.mean_change == -1.5
    assert (eight.followed, eight.response, eight.remission, eight.improved) == (1, 1, 0, 1)
    assert (twelve.followed, twelve.response, twelve.remission, twelve.improved) == (1, 1, 1, 1)
    assert twelve.rate("remission") == 100.0


def test_it_splits_by_program_and_primary_clinician(northstar: Organization, bob: User) -> None:
    cohort(northstar, bob)

    table = measure_table(scope_for(bob, start=day(-120)), PHQ9)

    assert [(row.label, row.patients, row.baseline) for row in table.by_program] == [
        ("Residential treatment", 2, 2),
        ("Withdrawal management", 1, 0),
    ]
    assert [(row.label, row.weeks[12].followed) for row in table.by_clinician] == [
        ("Bob", 1),
        ("No primary clinician", 0),
    ]
    gad = measure_table(scope_for(bob, start=day(-120)), GAD7)
    assert (gad.total.patients, gad.total.baseline, gad.total.weeks[4].rate("response")) == (
        3, 0, None
    )  # fmt: skip
