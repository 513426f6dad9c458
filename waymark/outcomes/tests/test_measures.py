"""Point 3 on a hand-built cohort: baseline, nearest score in a window, response, remission,
reliable change, a corrected response, a patient with no baseline."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.conftest import make_member, program
from waymark.organizations.models import LevelOfCare, Organization, Program, Role
from waymark.outcomes.measures import (
    GAD7,
    PHQ9,
    WEEKS,
    Instrument,
    MeasureTable,
    measure_table,
    measure_tables,
)
from waymark.outcomes.tests.conftest import day, patient, response, scope_for
from waymark.outcomes.tests.reference import annotated
from waymark.patients.services import assign_clinician, move_to_program


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


def reference(scope: object, instrument: Instrument) -> dict[tuple[str, object], list[object]]:
    """The sums computed in Python from each patient's own scores (`reference.annotated`'s
    per-patient subqueries), by program and by clinician: what the one query must equal."""
    threshold = instrument.reliable_change or 10
    sums: dict[tuple[str, object], list[object]] = {}
    for p in annotated(scope, instrument).values():  # type: ignore[arg-type]
        for group in (("p", p["program_id"]), ("c", p["clinician_id"])):
            row = sums.setdefault(group, [0, 0] + [0, 0, 0, 0, 0, 0.0] * len(WEEKS))
            row[0] += 1  # type: ignore[operator]
            base = p["baseline_score"]
            if base is None:
                continue
            row[1] += 1  # type: ignore[operator]
            for n, week in enumerate(WEEKS):
                score = p[f"score_{week}"]
                if score is None:
                    continue
                below = instrument.remission_below
                found = [
                    1, base > 0 and score <= base / 2, below is not None and score < below,
                    score <= base - threshold, score >= base + threshold,
                ]  # fmt: skip
                at = 2 + 6 * n
                for k, hit in enumerate(found):
                    row[at + k] += int(hit)  # type: ignore[operator]
                row[at + 5] += float(score - base)  # type: ignore[operator]
    return sums


def figures(table: MeasureTable) -> dict[tuple[str, object], list[object]]:
    programs = {program.name: program.pk for program in Program.objects.all()}
    clinicians = {user.get_full_name() or user.username: user.pk for user in User.objects.all()}
    found: dict[tuple[str, object], list[object]] = {}
    for part, rows, ids in (
        ("p", table.by_program, programs),
        ("c", table.by_clinician, clinicians),
    ):
        for row in rows:
            values: list[object] = [row.patients, row.baseline]
            for week in WEEKS:
                w = row.weeks[week]
                values += [w.followed, w.response, w.remission, w.improved, w.deteriorated]
                values.append(w.change_total)
            found[(part, ids.get(row.label))] = values
    return found


def test_it_equals_each_patients_own_scores_for_every_instrument(
    northstar: Organization, bob: User
) -> None:
    olivia = make_member(northstar, "olivia", Role.CLINICIAN)
    for n in range(12):
        level = (LevelOfCare.RESIDENTIAL, LevelOfCare.DETOX, LevelOfCare.OUTPATIENT)[n % 3]
        person = patient(northstar, f"p{n}", level, admitted=-100 + n)
        if n % 4:
            assign_clinician(person, (bob, olivia)[n % 2], primary=True)
        for k, key in enumerate(("phq-9", "gad-7", "who-5")):
            top = 100 if key == "who-5" else 27
            on = -100 + n + (n * 3 + k) % 9 - 4  # baseline near admission, some outside
            while on < 0:
                score = (n * 7 + k * 5 + on * 3) % top
                first = response(person, key, on, score)
                if (n + on) % 5 == 0:  # a correction the same day
                    response(person, key, on, (score + 9) % top, corrects=first)
                on += 3 + (n * 5 + k * 3 - on) % 14
    sparse = patient(northstar, "sparse", admitted=-110)
    for key in ("phq-9", "gad-7", "who-5"):
        for on, score in ((-110, 20), (-96, 9), (-12, 25)):  # the windows' first, last days
            response(sparse, key, on, score)
    scope = scope_for(bob, start=day(-120))

    tables = measure_tables(scope)

    for table in tables:
        expected = reference(scope, table.instrument)
        assert figures(table) == expected
        assert table.total.baseline > 0 and table.total.weeks[8].followed > 0


def test_it_breaks_ties_by_the_earlier_day_then_the_earlier_submitted(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    response(a, "phq-9", -100, 10, hour=11)
    response(a, "phq-9", -100, 20, hour=9)  # the baseline: submitted first that day
    response(a, "phq-9", -74, 9)  # week 4 (target -72): 2 days before …
    response(a, "phq-9", -70, 30)  # … and 2 days after: the earlier day counts
    response(a, "phq-9", -44, 25, hour=12)
    response(a, "phq-9", -44, 4, hour=8)  # week 8, on its target: submitted first that day
    b = patient(northstar, "pat2", admitted=-100)
    first = response(b, "phq-9", -99, 8)
    response(b, "phq-9", -99, 16, corrects=first)  # a corrected baseline: 16
    response(b, "phq-9", -57, 8)  # baseline + 42 days: in week 4's window and in week 8's

    table = measure_table(scope_for(bob, start=day(-120)), PHQ9)

    total = table.total
    assert (total.patients, total.baseline) == (2, 2)
    four, eight, twelve = total.weeks[4], total.weeks[8], total.weeks[12]
    assert (four.followed, four.response, four.remission, four.improved, four.deteriorated) == (
        2, 2, 0, 2, 0
    )  # fmt: skip
    assert four.mean_change == -9.5  # 9 - 20 and 8 - 16
    assert (eight.followed, eight.response, eight.remission, eight.improved) == (2, 2, 1, 2)
    assert eight.mean_change == -12.0  # 4 - 20 and 8 - 16
    assert twelve.followed == 0


def test_it_takes_the_baseline_near_any_matching_stay_and_the_program_of_the_first(
    northstar: Organization, bob: User
) -> None:
    a = patient(northstar, "pat1", admitted=-100)
    episode = a.episodes.get()
    move_to_program(episode, program(northstar, LevelOfCare.OUTPATIENT), on=day(-60))
    response(a, "phq-9", -90, 27)  # 10 days after the first stay's start: the baseline
    response(a, "phq-9", -85, 3)  # 15 days after: too late (and not the first)
    response(a, "phq-9", -62, 20)  # week 4; near the second stay's start (-60)
    response(a, "phq-9", -34, 10)  # week 8; week 4 of a baseline on -62
    b = patient(northstar, "pat2", admitted=-100)
    episode = b.episodes.get()
    move_to_program(episode, program(northstar, LevelOfCare.OUTPATIENT), on=day(-60))
    response(b, "phq-9", -67, 20)  # 7 days before the second stay's start: the baseline
    response(b, "phq-9", -39, 10)  # week 4
    scope = scope_for(bob, start=day(-120))
    outpatient = scope_for(bob, start=day(-120), level=LevelOfCare.OUTPATIENT)

    table = measure_table(scope, PHQ9)
    only_outpatient = measure_table(outpatient, PHQ9)

    assert [(row.label, row.patients, row.baseline) for row in table.by_program] == [
        ("Residential treatment", 2, 2)
    ]
    four, eight = table.total.weeks[4], table.total.weeks[8]
    assert (four.followed, four.mean_change, eight.followed, eight.mean_change) == (
        2, -8.5, 1, -17.0
    )  # fmt: skip
    assert figures(table) == reference(scope, PHQ9)
    assert [(row.label, row.patients, row.baseline) for row in only_outpatient.by_program] == [
        ("Outpatient", 2, 2)
    ]
    four = only_outpatient.total.weeks[4]  # pat1 from -62 (its -90 is near no outpatient stay)
    assert (four.followed, four.mean_change) == (2, -10.0)
    assert figures(only_outpatient) == reference(outpatient, PHQ9)
