"""Schedules per program: at admission, every N days, at discharge, N days after discharge;
due, overdue, missed and completed states, computed for a patient from their stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from waymark.accounts.models import User
from waymark.conftest import TODAY
from waymark.organizations.models import LevelOfCare, Organization, Program
from waymark.patients.models import Episode, Patient
from waymark.patients.services import discharge, move_to_program
from waymark.questionnaires.due import Status
from waymark.questionnaires.models import Anchor, Assignment, AssignmentReason, Schedule
from waymark.questionnaires.services import patient_occurrences, submit_response, todo_for
from waymark.questionnaires.tests.helpers import current_stay, phq9

ADMITTED = TODAY - dt.timedelta(days=20)


def schedule(patient: Patient, key: str = "phq-9", **fields: object) -> Schedule:
    fields.setdefault("active_from", dt.date(2020, 1, 1))
    return Schedule.objects.create(
        organization_id=patient.organization_id,
        program=current_stay(patient).program,
        questionnaire_key=key,
        **fields,
    )


def states(patient: Patient) -> list[tuple[dt.date, Status]]:
    return [(o.due_on, o.status) for o in patient_occurrences(patient)]


def days(n: int) -> dt.date:
    return ADMITTED + dt.timedelta(days=n)


def test_it_asks_at_admission_and_counts_it_missed_once_the_window_closes(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, anchor=Anchor.ADMISSION, window_days=14)
    assert states(alice) == [(ADMITTED, Status.MISSED)]


def test_it_keeps_an_admission_questionnaire_overdue_while_its_window_is_open(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, anchor=Anchor.ADMISSION, window_days=30)
    (occurrence,) = patient_occurrences(alice)
    assert occurrence.status == Status.OVERDUE
    assert occurrence.overdue_from == days(3)
    assert occurrence.why == "Residential treatment: at admission"


def test_it_repeats_every_n_days_up_to_a_month_ahead(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, offset_days=14, repeat_every_days=14)
    assert states(alice) == [
        (days(14), Status.OVERDUE),  # due 6 days ago; overdue after 3
        (days(28), Status.UPCOMING),
        (days(42), Status.UPCOMING),
    ]
    first = patient_occurrences(alice)[0]
    assert first.closes_on == days(27)  # the day before the next one


def test_it_moves_from_due_to_overdue_to_missed_as_days_pass(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, offset_days=20, grace_days=3, window_days=7)
    assert states(alice) == [(TODAY, Status.DUE)]
    frozen.shift(dt.timedelta(days=3))
    assert states(alice) == [(TODAY, Status.OVERDUE)]
    frozen.shift(dt.timedelta(days=4))
    assert states(alice) == [(TODAY, Status.OVERDUE)]  # the last day of the window
    frozen.shift(dt.timedelta(days=1))
    assert states(alice) == [(TODAY, Status.MISSED)]


def test_it_counts_a_closed_window_missed_even_inside_the_grace_days(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    """A daily questionnaire closes the day before the next one, which is sooner than its
    3 grace days: yesterday's can no longer be answered, so it is missed, not still due
    beside today's (the same when the window is shorter than the grace days)."""
    schedule(alice, offset_days=17, repeat_every_days=1, grace_days=3, window_days=7)
    schedule(alice, "gad-7", offset_days=18, grace_days=3, window_days=1)

    found = [(o.key, o.due_on, o.status) for o in patient_occurrences(alice) if o.due_on <= TODAY]

    assert found == [
        ("phq-9", days(17), Status.MISSED),
        ("gad-7", days(18), Status.MISSED),  # closed yesterday, day 19
        ("phq-9", days(18), Status.MISSED),
        ("phq-9", days(19), Status.MISSED),
        ("phq-9", TODAY, Status.DUE),
    ]
    assert [(row.occurrence.key, row.occurrence.due_on) for row in todo_for(alice).open] == [
        ("phq-9", TODAY)  # the one that an answer now completes
    ]


@pytest.mark.parametrize(
    ("repeat", "grace", "window", "message"),
    [
        (1, 3, 14, "A new one is due every day, so each can be answered for 0 days after its "
                   "due day; with 3 days of grace it would never show as overdue. Set grace "
                   "days to 0 or fewer."),
        (None, 5, 2, "Each can be answered for 2 days (its window) after its due day; with 5 "
                     "days of grace it would never show as overdue. Set grace days to 2 or "
                     "fewer."),
        (7, 7, 14, "A new one is due every 7 days, so each can be answered for 6 days"),
    ],
)  # fmt: skip
def test_it_refuses_grace_days_that_would_hide_the_overdue_state(
    alice: Patient, repeat: int | None, grace: int, window: int, message: str
) -> None:
    """The admin's form runs the model's check: grace days longer than an occurrence stays
    open would take it from due straight to missed, so the overdue reminder never comes."""
    program = current_stay(alice).program
    fields = {"organization_id": alice.organization_id, "program": program,
              "questionnaire_key": "phq-9", "window_days": window}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        Schedule(**fields, repeat_every_days=repeat, grace_days=grace).full_clean()

    assert refused.value.message_dict["grace_days"][0].startswith(message)
    Schedule(
        **fields, repeat_every_days=repeat, grace_days=min(window, (repeat or 99) - 1)
    ).full_clean()


def test_it_counts_a_response_in_the_window_as_completing_it(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, offset_days=14, repeat_every_days=14)
    response = submit_response(alice, "phq-9", phq9(), by=alice.user)
    occurrences = patient_occurrences(alice)
    assert occurrences[0].status == Status.COMPLETED
    assert occurrences[0].completed_by is not None
    assert occurrences[0].completed_by.response_id == str(response.pk)
    assert not occurrences[0].completed_on_time  # sent after the grace days
    assert occurrences[1].status == Status.UPCOMING  # not completed early by it
    frozen.shift(dt.timedelta(days=8))
    assert [o.status for o in patient_occurrences(alice)][:2] == [Status.COMPLETED, Status.DUE]


def test_it_asks_at_discharge_on_the_planned_end_and_on_the_actual_one(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    stay = current_stay(alice)
    schedule(alice, anchor=Anchor.DISCHARGE, offset_days=-3)
    assert stay.planned_end_on is not None
    assert states(alice) == [(stay.planned_end_on - dt.timedelta(days=3), Status.UPCOMING)]
    discharge(Episode.objects.get(patient=alice), on=TODAY, destination="home")
    # Left early: the questionnaire meant for 3 days before the end is now overdue.
    assert states(alice) == [(TODAY - dt.timedelta(days=3), Status.OVERDUE)]


def test_it_asks_a_set_number_of_days_after_discharge_from_care(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, anchor=Anchor.AFTER_DISCHARGE, offset_days=30)
    assert states(alice) == []  # still in care
    discharge(Episode.objects.get(patient=alice), on=TODAY, destination="home")
    assert states(alice) == [(TODAY + dt.timedelta(days=30), Status.UPCOMING)]
    frozen.shift(dt.timedelta(days=30))
    assert states(alice) == [(TODAY + dt.timedelta(days=30), Status.DUE)]
    assert [row.key for row in todo_for(alice).open] == ["phq-9"]


def test_it_does_not_ask_after_discharge_when_the_program_was_not_the_last(
    frozen: time_machine.Coordinates, alice: Patient, northstar: Organization
) -> None:
    schedule(alice, anchor=Anchor.AFTER_DISCHARGE, offset_days=30)
    episode = Episode.objects.get(patient=alice)
    outpatient = Program.objects.get(organization=northstar, level=LevelOfCare.OUTPATIENT)
    move_to_program(episode, outpatient, on=TODAY - dt.timedelta(days=2))
    discharge(episode, on=TODAY, destination="home")
    assert states(alice) == []


def test_it_follows_each_program_the_patient_passes_through(
    frozen: time_machine.Coordinates, alice: Patient, northstar: Organization
) -> None:
    residential = schedule(alice, "gad-7", anchor=Anchor.ADMISSION, window_days=60)
    outpatient = Program.objects.get(organization=northstar, level=LevelOfCare.OUTPATIENT)
    Schedule.objects.create(
        organization=northstar,
        program=outpatient,
        questionnaire_key="phq-9",
        active_from=dt.date(2020, 1, 1),
    )
    move_to_program(Episode.objects.get(patient=alice), outpatient, on=TODAY)
    found = patient_occurrences(alice)
    assert [(o.key, o.schedule_id, o.due_on) for o in found] == [
        ("gad-7", residential.pk, ADMITTED),
        ("phq-9", found[1].schedule_id, TODAY),
    ]
    assert {row.key for row in todo_for(alice).open} == {"gad-7", "phq-9"}


def test_it_ignores_occurrences_due_before_the_schedule_started(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, offset_days=0, repeat_every_days=7, active_from=TODAY)
    assert next(due for due, _ in states(alice)) >= TODAY


def test_it_leaves_other_programs_patients_alone(
    frozen: time_machine.Coordinates, alice: Patient, dana: Patient
) -> None:
    schedule(alice, offset_days=20)
    assert states(dana) == []


def test_it_lists_a_clinicians_request_until_it_is_answered(
    frozen: time_machine.Coordinates, alice: Patient, bob: User
) -> None:
    assignment = Assignment.objects.create(
        organization_id=alice.organization_id,
        patient=alice,
        questionnaire_key="gad-7",
        reason=AssignmentReason.CLINICIAN,
        assigned_by=bob,
        due_on=TODAY,
        closes_on=TODAY + dt.timedelta(days=7),
    )
    assert [(row.key, row.occurrence.why) for row in todo_for(alice).open] == [
        ("gad-7", "Asked by the care team")
    ]
    submit_response(alice, "gad-7", {str(i): 0 for i in range(1, 8)}, by=alice.user)
    assert todo_for(alice).open == []
    (occurrence,) = patient_occurrences(alice)
    assert (occurrence.assignment_id, occurrence.status) == (assignment.pk, Status.COMPLETED)


def test_it_puts_overdue_questionnaires_first_on_the_to_do_list(
    frozen: time_machine.Coordinates, alice: Patient
) -> None:
    schedule(alice, "gad-7", offset_days=20)  # due today
    schedule(alice, "phq-9", offset_days=14, window_days=14)  # overdue
    schedule(alice, "who-5", offset_days=22)  # upcoming
    todo = todo_for(alice)
    assert [(row.key, row.occurrence.status) for row in todo.open] == [
        ("phq-9", Status.OVERDUE),
        ("gad-7", Status.DUE),
    ]
    assert [row.key for row in todo.upcoming] == ["who-5"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"questionnaire_key": "dast-10"}, "No questionnaire 'dast-10'"),
        ({"questionnaire_key": "bam", "scoring_form": "weekly"}, "likert, day_count"),
        (
            {"questionnaire_key": "phq-9", "anchor": Anchor.DISCHARGE, "repeat_every_days": 7},
            "Only schedules from admission can repeat.",
        ),
    ],
)
def test_it_refuses_a_schedule_for_a_questionnaire_or_form_that_does_not_exist(
    alice: Patient, fields: dict[str, Any], message: str
) -> None:
    bad = Schedule(
        organization_id=alice.organization_id, program=current_stay(alice).program, **fields
    )
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert message in str(caught.value)


def test_it_describes_each_timing_in_words(alice: Patient) -> None:
    program = current_stay(alice).program
    make = lambda **f: Schedule(program=program, **f).describe()  # noqa: E731
    assert make(anchor=Anchor.ADMISSION, offset_days=0) == "at admission"
    assert make(anchor=Anchor.ADMISSION, offset_days=14, repeat_every_days=14) == "every 14 days"
    assert make(anchor=Anchor.ADMISSION, offset_days=0, repeat_every_days=1) == "every day"
    assert make(anchor=Anchor.AFTER_DISCHARGE, offset_days=1) == "1 day after discharge from care"
    assert make(anchor=Anchor.DISCHARGE, offset_days=0) == "at discharge"
    assert make(anchor=Anchor.DISCHARGE, offset_days=-3) == "3 days before leaving the program"
    assert (
        make(anchor=Anchor.AFTER_DISCHARGE, offset_days=30) == "30 days after discharge from care"
    )
