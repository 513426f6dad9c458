"""Point 3's "missed N times / not reviewed" list on hand-built cohorts: the SQL count agrees
with due.py, windows closing on either side of today, a late answer, a request from the care
team, another organization, a care-team-scoped clinician, reviewing and a second answer."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, AuditObject
from waymark.conftest import TODAY, actor, program
from waymark.organizations.models import CaseloadScope, LevelOfCare, Organization
from waymark.outcomes.missed import missed_and_unreviewed, missed_counts, per_patient
from waymark.outcomes.tests.conftest import START, day, patient, response, scope_for
from waymark.patients.models import Patient
from waymark.patients.services import admit, discharge, move_to_program
from waymark.questionnaires.due import Status
from waymark.questionnaires.models import Assignment, AssignmentReason, Schedule
from waymark.questionnaires.services import patient_occurrences

ClientFor = Callable[[User | None], Client]
URL = reverse("outcomes:dashboard")


def schedule(organization: Organization, level: LevelOfCare, key: str, **fields: object) -> None:
    fields.setdefault("active_from", dt.date(2020, 1, 1))
    Schedule.objects.create(
        organization=organization, program=program(organization, level), questionnaire_key=key,
        **fields,
    )  # fmt: skip


def due_py_missed(person: Patient) -> dict[str, int]:
    """What due.py says the patient missed, of the occurrences due in the period."""
    found: dict[str, int] = {}
    for occurrence in patient_occurrences(person):
        if occurrence.status == Status.MISSED and START <= occurrence.due_on <= TODAY:
            found[occurrence.key] = found.get(occurrence.key, 0) + 1
    return found


def cohort(northstar: Organization) -> dict[str, Patient]:
    """Residential: PHQ-9 every 7 days (window 14, so each closes the day before the next)
    and GAD-7 at admission (window 14). TODAY is period day 29."""
    schedule(northstar, LevelOfCare.RESIDENTIAL, "phq-9", offset_days=7, repeat_every_days=7,
             window_days=14)  # fmt: skip
    schedule(northstar, LevelOfCare.RESIDENTIAL, "gad-7", window_days=14)
    a = patient(northstar, "pat1")  # PHQ-9 due 7, 14, 21 (closed) and 28 (open); GAD-7 0
    response(a, "phq-9", 8, 10)
    response(a, "phq-9", 20, 9)  # late for day 14's, still inside its window
    response(a, "gad-7", 3, 6)
    b = patient(northstar, "pat2")
    response(b, "phq-9", 21, 12)  # for day 14's, too late: it answers day 21's
    c = patient(northstar, "pat3", admitted=14)  # GAD-7 closes day 28: missed
    d = patient(northstar, "pat4", admitted=15)  # GAD-7 closes day 29, today: still open
    e = patient(northstar, "pat5", admitted=-5)  # GAD-7 due before the period: not counted
    Assignment.objects.create(
        organization=northstar, patient=a, questionnaire_key="who-5",
        reason=AssignmentReason.CLINICIAN, due_on=day(10), closes_on=day(20),
        created_at=timezone.make_aware(dt.datetime.combine(day(9), dt.time(9))),
    )  # fmt: skip
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_it_counts_what_due_py_says_was_missed(northstar: Organization, bob: User) -> None:
    people = cohort(northstar)

    found = per_patient(missed_counts(scope_for(bob)))

    missed = {
        name: {key: m for key, (m, _) in found.get(p.pk, {}).items() if m}
        for name, p in people.items()
    }
    assert missed == {name: due_py_missed(p) for name, p in people.items()}
    assert missed == {
        "a": {"phq-9": 1, "who-5": 1},  # day 21's PHQ-9; the request never answered
        "b": {"phq-9": 2, "gad-7": 1},  # days 7 and 14
        "c": {"phq-9": 1, "gad-7": 1},  # PHQ-9 due day 21 (closes 27), GAD-7 day 14
        "d": {"phq-9": 1},  # PHQ-9 due day 22 (closes 28); GAD-7 still open
        "e": {"phq-9": 3},  # days 2, 9, 16 (day 23's closes today); GAD-7 due before it
    }


def due_py_counts(person: Patient, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """(missed, closed) per questionnaire by due.py: occurrences due from `start` to `end`
    that have closed by the patient's own today, and of those the ones never answered."""
    found: dict[str, tuple[int, int]] = {}
    today = person.local_today()
    for occurrence in patient_occurrences(person):
        if start <= occurrence.due_on <= end and occurrence.closes_on < today:
            missed, closed = found.get(occurrence.key, (0, 0))
            found[occurrence.key] = (missed + (occurrence.status == Status.MISSED), closed + 1)
    return found


def test_it_agrees_with_due_py_on_many_schedules_stays_and_answers(
    northstar: Organization, bob: User
) -> None:
    """The repeating schedules are counted by arithmetic, not one occurrence at a time
    (missed.py's `rp`): windows shorter than, as long as and longer than the interval, a
    daily one, a negative offset, a schedule active only from mid-period, one that repeats
    every 0 days (due.py: once; it must not repeat for ever); stays that end
    by a move or a discharge (the last occurrence's window then runs its full length),
    a readmission, answers on random days; patients whose today is a day ahead of or behind
    the clinic's. Every patient's count and every total is due.py's, over three periods
    (one ending before today, which cuts windows)."""
    rng = random.Random(18)
    levels = (LevelOfCare.DETOX, LevelOfCare.RESIDENTIAL, LevelOfCare.OUTPATIENT)
    for level, key, fields in [
        (LevelOfCare.RESIDENTIAL, "phq-9", {"repeat_every_days": 7, "window_days": 3}),
        (LevelOfCare.RESIDENTIAL, "gad-7", {"offset_days": -3, "repeat_every_days": 5,
                                            "window_days": 9}),
        (LevelOfCare.RESIDENTIAL, "who-5", {"offset_days": 2, "repeat_every_days": 1,
                                            "window_days": 1}),
        (LevelOfCare.OUTPATIENT, "phq-9", {"offset_days": 1, "repeat_every_days": 10,
                                           "window_days": 10, "active_from": day(-12)}),
        (LevelOfCare.OUTPATIENT, "gad-7", {"anchor": "discharge", "window_days": 4}),
        (LevelOfCare.OUTPATIENT, "who-5", {"repeat_every_days": 0, "window_days": 3}),  # once
        (LevelOfCare.DETOX, "gad-7", {"repeat_every_days": 3, "window_days": 2}),
        (LevelOfCare.DETOX, "phq-9", {"window_days": 5}),
        (LevelOfCare.DETOX, "who-5", {"anchor": "after_discharge", "offset_days": 7,
                                      "window_days": 6}),
    ]:  # fmt: skip
        schedule(northstar, level, key, **fields)
    # Left on day 24: GAD-7 due 7, 12, 17 and 22, the last open 9 days (to 31), not 4
    gone = patient(northstar, "gone", admitted=10)
    discharge(gone.episodes.get(), on=day(24), destination="home")
    people = [gone]
    for n in range(24):
        admitted, first = rng.randint(-70, 20), rng.choice(levels)
        person = patient(northstar, f"many{n}", first, admitted=admitted)
        if n % 5 == 1:  # a day ahead of the frozen clock's, or behind it
            person.timezone = "Pacific/Kiritimati" if n % 10 == 1 else "Pacific/Pago_Pago"
            person.save(update_fields=["timezone"])
        episode = person.episodes.get()
        moved = admitted + rng.randint(0, 25)
        if n % 3 and moved <= 29:
            to = rng.choice([level for level in levels if level != first])
            move_to_program(episode, program(northstar, to), on=day(moved))
        if n % 4 == 0:
            left = min(29, max(moved, admitted) + rng.randint(0, 12))
            discharge(episode, on=day(left), destination="home")
            if n % 8 == 0 and left < 27:
                admit(person, program(northstar, rng.choice(levels)), on=day(left + 2))
        for on in range(admitted - 2, 30):
            if rng.random() < 0.3:
                response(person, rng.choice(["phq-9", "gad-7", "who-5"]), on, 5,
                         hour=rng.randint(8, 20))  # fmt: skip
        people.append(person)
    assert (
        any(p.stays.count() == 2 for p in people)
        and any(p.episodes.count() == 2 for p in people)
        and any(p.episodes.filter(discharged_on__isnull=False).exists() for p in people)
    )

    assert len({p.local_today() for p in people}) == 2  # two todays among them

    def counts(start: dt.date, end: dt.date) -> dict[object, dict[str, tuple[int, int]]]:
        """(missed, closed) per patient and questionnaire, checked against due.py."""
        report = missed_counts(replace(scope_for(bob, start=start), end=end))
        expected = {p.pk: due_py_counts(p, start, end) for p in people}
        found = {
            entry.patient_id: {
                counts.key: (counts.missed, counts.closed) for counts in entry.keys if counts.closed
            }
            for entry in report.listed
        }
        assert {p: c for p, c in found.items() if c} == {p: c for p, c in expected.items() if c}
        totals = {row.key: (row.missed, row.closed) for row in report.by_key}
        assert totals == {
            key: tuple(sum(c.get(key, (0, 0))[i] for c in expected.values()) for i in (0, 1))
            for key in ("gad-7", "phq-9", "who-5")
        }
        assert sum(closed for _, closed in totals.values()) > 100  # it counts a good many
        return found

    for start, end in [(START, TODAY), (day(-60), TODAY), (day(-60), day(15))]:
        found = counts(start, end)
        if end == TODAY:
            assert found[gone.pk]["gad-7"] == (3, 3)

    # The second time: nothing is stored, so edits show at once. A schedule repeats more
    # often with a shorter window, another stops, and the patient who left comes back.
    Schedule.objects.filter(questionnaire_key="gad-7", repeat_every_days=5).update(
        repeat_every_days=4, window_days=2
    )
    Schedule.objects.filter(questionnaire_key="gad-7", repeat_every_days=3).update(is_active=False)
    admit(gone, program(northstar, LevelOfCare.RESIDENTIAL), on=day(26))

    found = counts(START, TODAY)

    # every 4 days from day 7 (3 before admission): 7, 11, 15, 19, 23 in her first stay;
    # 23 again for the second (from day 26), whose day 27 is still open
    assert found[gone.pk]["gad-7"] == (6, 6)


def test_it_counts_per_questionnaire_and_orders_the_list(
    northstar: Organization, bob: User
) -> None:
    people = cohort(northstar)

    report = missed_counts(scope_for(bob))

    phq9 = next(row for row in report.by_key if row.key == "phq-9")
    # closed PHQ-9s: a 3 (7, 14, 21), b 3, c 1 (21), d 1 (22), e 3 (2, 9, 16)
    assert (phq9.closed, phq9.missed, phq9.patients_missed) == (11, 8, 5)
    assert (phq9.completed, phq9.unreviewed, phq9.patients_unreviewed) == (3, 3, 2)
    order = [entry.patient_id for entry in report.listed]
    # most missed first (b, e: 3; a, c: 2; d: 1), then the oldest answer not looked at
    # (b's on day 21 before e's none; a's on day 3 before c's none)
    assert order == [people[n].pk for n in ("b", "e", "a", "c", "d")]
    assert report.listed[0].oldest_unreviewed == day(21)
    assert report.listed_total == 5 and report.more == 0

    capped = missed_counts(scope_for(bob), cap=2)

    assert [entry.patient_id for entry in capped.listed] == order[:2]
    assert capped.more == 3


def test_it_follows_the_program_filter_and_the_period(northstar: Organization, bob: User) -> None:
    people = cohort(northstar)
    detox = patient(northstar, "pat6", LevelOfCare.DETOX)
    schedule(northstar, LevelOfCare.DETOX, "phq-9", window_days=1)
    residential = program(northstar, LevelOfCare.RESIDENTIAL).pk

    narrowed = per_patient(missed_counts(scope_for(bob, program_id=residential)))
    short = per_patient(missed_counts(scope_for(bob, start=day(15))))

    assert detox.pk not in narrowed and people["a"].pk in narrowed
    assert per_patient(missed_counts(scope_for(bob)))[detox.pk] == {"phq-9": (1, 0)}
    assert short[people["e"].pk] == {"phq-9": (1, 0)}  # from day 15: day 16's (23's is open)


def test_it_never_lists_another_organizations_patient(
    northstar: Organization, harbour: Organization, bob: User, carol: User
) -> None:
    cohort(northstar)
    schedule(harbour, LevelOfCare.OUTPATIENT, "phq-9", window_days=1)
    erin = patient(harbour, "erin", LevelOfCare.OUTPATIENT)

    ours = missed_counts(scope_for(bob))
    theirs = missed_counts(scope_for(carol))

    assert erin.pk not in per_patient(ours)
    assert list(per_patient(theirs)) == [erin.pk]


def test_it_shows_a_care_team_clinician_only_their_own_patients(
    northstar: Organization, bob: User, alice: Patient, dana: Patient
) -> None:
    schedule(northstar, LevelOfCare.RESIDENTIAL, "phq-9", window_days=1)
    schedule(northstar, LevelOfCare.DETOX, "phq-9", window_days=1)
    assert set(per_patient(missed_counts(scope_for(bob)))) == {alice.pk, dana.pk}

    northstar.caseload_scope = CaseloadScope.CARE_TEAM
    northstar.save()

    assert set(per_patient(missed_counts(scope_for(bob)))) == {alice.pk}


def answer_now(person: Patient, key: str) -> None:
    """A response submitted now (the frozen clock's), by the patient."""
    from waymark.questionnaires.models import Questionnaire, QuestionnaireResponse

    QuestionnaireResponse.objects.create(
        organization_id=person.organization_id, patient=person,
        questionnaire=Questionnaire.objects.get(key=key, is_current=True, organization=None),
        questionnaire_key=key, answers={}, scoring_form="standard", scores={}, primary_score=4,
        submitted_at=timezone.now(), submitted_on=person.local_today(), submitted_by=person.user,
    )  # fmt: skip


def test_it_counts_an_answer_as_looked_at_once_a_clinician_opens_it(
    northstar: Organization, bob: User, olivia: User, alice: Patient, client_for: ClientFor,
    frozen: time_machine.Traveller,
) -> None:  # fmt: skip
    answer = response(alice, "phq-9", 25, 8)
    scope = scope_for(bob)
    assert per_patient(missed_counts(scope)) == {alice.pk: {"phq-9": (0, 1)}}
    staff, admin = client_for(bob), client_for(olivia)

    staff.get(reverse("patients:detail", args=[alice.pk]))  # the record alone: not the answers
    admin.get(reverse("questionnaires:patient_questionnaires", args=[alice.pk]))  # not a clinician
    assert per_patient(missed_counts(scope)) == {alice.pk: {"phq-9": (0, 1)}}

    opened = reverse("questionnaires:patient_response", args=[alice.pk, answer.pk])  # type: ignore[attr-defined]
    assert staff.get(opened).status_code == 200

    assert per_patient(missed_counts(scope)) == {}  # she drops off the list
    assert missed_counts(scope).by_key[0].unreviewed == 0

    staff.get(reverse("questionnaires:patient_questionnaires", args=[alice.pk]))
    frozen.shift(dt.timedelta(minutes=5))
    answer_now(alice, "gad-7")  # the second time: a new answer, after the last look

    assert per_patient(missed_counts(scope)) == {alice.pk: {"gad-7": (0, 1)}}

    looked = staff.get(reverse("questionnaires:patient_questionnaires", args=[alice.pk]))
    assert looked.status_code == 200, looked

    assert per_patient(missed_counts(scope)) == {}


def test_it_counts_only_the_answer_opened_as_looked_at_each_time_one_is_opened(
    northstar: Organization, bob: User, alice: Patient, client_for: ClientFor
) -> None:
    """The looks at single answers are joined to each answer by its id (missed.py's `one`):
    opening one answer, even twice, marks that answer alone; the next one opened is the
    second."""
    first, second = response(alice, "phq-9", 8, 12), response(alice, "phq-9", 22, 9)
    scope = scope_for(bob)
    staff = client_for(bob)
    assert per_patient(missed_counts(scope)) == {alice.pk: {"phq-9": (0, 2)}}

    for _ in range(2):
        opened = reverse("questionnaires:patient_response", args=[alice.pk, first.pk])  # type: ignore[attr-defined]
        assert staff.get(opened).status_code == 200
        assert per_patient(missed_counts(scope)) == {alice.pk: {"phq-9": (0, 1)}}
    assert missed_counts(scope).listed[0].oldest_unreviewed == day(22)

    opened = reverse("questionnaires:patient_response", args=[alice.pk, second.pk])  # type: ignore[attr-defined]
    assert staff.get(opened).status_code == 200
    assert per_patient(missed_counts(scope)) == {}


def test_it_counts_a_corrected_answer_once_and_only_the_cohorts_answers(
    northstar: Organization, bob: User, alice: Patient, dana: Patient
) -> None:
    """The answers are counted per patient over every answer of the period, then kept for
    the cohort: a corrected answer is replaced by its correction (one answer, one not looked
    at), and another program's patient counts only when the filter takes their program."""
    wrong = response(alice, "phq-9", 20, 18)
    response(alice, "phq-9", 21, 8, corrects=wrong)
    response(alice, "phq-9", 24, 9)
    response(dana, "phq-9", 22, 5)
    residential = program(northstar, LevelOfCare.RESIDENTIAL).pk
    assert alice.stays.get().program_id == residential != dana.stays.get().program_id

    everyone = missed_counts(scope_for(bob))
    narrowed = missed_counts(scope_for(bob, program_id=residential))

    assert per_patient(everyone) == {alice.pk: {"phq-9": (0, 2)}, dana.pk: {"phq-9": (0, 1)}}
    assert [(k.key, k.completed, k.unreviewed, k.patients_unreviewed) for k in everyone.by_key] == [
        ("phq-9", 3, 3, 2)
    ]
    assert per_patient(narrowed) == {alice.pk: {"phq-9": (0, 2)}}
    assert [(k.key, k.completed, k.unreviewed) for k in narrowed.by_key] == [("phq-9", 2, 2)]
    assert narrowed.listed[0].oldest_unreviewed == day(21)  # the correction's day, not day 20


def test_it_names_patients_only_on_the_page_and_audits_each_one_named(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    people = cohort(northstar)

    page = client_for(bob).get(URL, {"period": "30"}).content.decode()
    csv = client_for(bob).get(reverse("outcomes:export", args=["missed"]), {"period": "30"})

    assert "Questionnaires missed, and answers not yet looked at" in page
    for name in ("Pat1", "Pat2", "Pat3", "Pat4", "Pat5"):
        assert name in page
    assert reverse("patients:detail", args=[people["e"].pk]) in page
    listed = AuditEvent.objects.filter(
        actor=bob, action=AuditAction.LIST, object_type=AuditObject.OUTCOMES_MISSED_LIST
    )
    assert set(listed.values_list("patient_id", flat=True)) == {p.pk for p in people.values()}
    text = csv.content.decode()
    assert text.startswith("questionnaire,due_and_closed,missed")
    assert "PHQ-9" in text and "Pat" not in text


def test_it_reads_in_a_constant_number_of_queries(northstar: Organization, bob: User) -> None:
    cohort(northstar)
    scope, who = scope_for(bob), actor(bob)
    with CaptureQueriesContext(connection) as small:
        missed_counts(scope)
    for n in range(6, 12):
        response(patient(northstar, f"more{n}", admitted=n), "phq-9", n + 1, 5)

    with CaptureQueriesContext(connection) as large:
        missed_and_unreviewed(who, scope)

    assert len(small) == 2  # the cohort's time zones, then every count
    assert len(large) == 4  # and the named patients, and one audit insert for them all


def test_it_keeps_the_dashboards_query_count_whatever_the_cohort(
    northstar: Organization, bob: User, client_for: ClientFor
) -> None:
    cohort(northstar)
    client = client_for(bob)
    client.get(URL, {"period": "30"})  # the session's first request reads more
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"period": "30"})
    for n in range(6, 12):
        response(patient(northstar, f"more{n}", admitted=n), "phq-9", n + 1, 5)

    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"period": "30"})

    assert len(large) == len(small)
