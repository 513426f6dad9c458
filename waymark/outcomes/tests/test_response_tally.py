"""The roll-up's change marker (`ResponseTally`), kept by the database's own triggers: every
response added or deleted bumps its patient's tally for that questionnaire, whoever writes
it, and the next report recomputes what it changed; the second change as well as the first."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.organizations.models import Organization
from waymark.outcomes.measures import PHQ9, measure_table
from waymark.outcomes.models import ResponseTally, StayScores
from waymark.outcomes.tests.conftest import day, patient, response, scope_for
from waymark.outcomes.tests.test_stay_scores import equals_reference
from waymark.questionnaires.models import QuestionnaireResponse


def tallies(organization: Organization) -> dict[tuple[str, str], int]:
    return {
        (row.patient.preferred_name, row.questionnaire_key): row.changes
        for row in ResponseTally.objects.filter(organization=organization).select_related("patient")
    }


def test_it_counts_each_response_added_or_deleted_per_patient_and_questionnaire(
    northstar: Organization, harbour: Organization
) -> None:
    a = patient(northstar, "pat1")
    b = patient(northstar, "pat2")
    erin = patient(harbour, "erin")
    first = response(a, "phq-9", 1, 10)
    response(a, "phq-9", 2, 8, corrects=first)  # a correction is a response too
    response(a, "gad-7", 2, 5)
    response(b, "phq-9", 3, 4)
    response(erin, "phq-9", 3, 4)
    assert tallies(northstar) == {("Pat1", "phq-9"): 2, ("Pat1", "gad-7"): 1, ("Pat2", "phq-9"): 1}

    QuestionnaireResponse.objects.filter(patient=b).delete()  # a change, not a count down
    response(b, "phq-9", 4, 6)

    assert tallies(northstar) == {("Pat1", "phq-9"): 2, ("Pat1", "gad-7"): 1, ("Pat2", "phq-9"): 3}
    assert tallies(harbour) == {("Erin", "phq-9"): 1}


def test_a_deleted_response_adds_no_row_so_a_deleted_patient_leaves_none(
    northstar: Organization,
) -> None:
    a = patient(northstar, "pat1")
    response(a, "phq-9", 1, 10)
    ResponseTally.objects.filter(patient=a).delete()  # as erasure may, before the responses

    QuestionnaireResponse.objects.filter(patient=a).delete()

    assert not ResponseTally.objects.filter(patient=a).exists()


def test_the_next_report_follows_answers_written_without_waymarks_services(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -98, 20)
    week_4 = response(a, "phq-9", -72, 12)
    scope = scope_for(bob, start=day(-120))
    assert measure_table(scope, PHQ9).total.weeks[4].mean_change == -8.0
    made_from = StayScores.objects.get(patient=a, questionnaire_key="phq-9").tally

    QuestionnaireResponse.objects.filter(pk=week_4.pk).delete()  # e.g. by hand, in a shell

    assert measure_table(scope, PHQ9).total.weeks[4].followed == 0
    equals_reference(scope)
    response(a, "phq-9", -71, 16)  # and a second change after the first
    assert measure_table(scope, PHQ9).total.weeks[4].mean_change == -4.0
    equals_reference(scope)
    assert StayScores.objects.get(patient=a, questionnaire_key="phq-9").tally == made_from + 2
