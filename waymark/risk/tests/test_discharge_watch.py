"""The watch after a discharge, rule by rule, on hand-made snapshots (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from waymark.alerts.models import Severity
from waymark.patients.watch import follow_up_range, watch_day, watch_last_day
from waymark.risk import registry
from waymark.risk.models import RiskSettings
from waymark.risk.registry import DayCheckIn, Discharge, Snapshot
from waymark.risk.rules import evaluate

TODAY = dt.date(2026, 11, 27)
DEFAULTS = RiskSettings()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def snap(*, last_checkin: int = 0, **changes: object) -> Snapshot:
    checkins = (DayCheckIn(ago(last_checkin), 2, False, (), "c1"),)
    base = Snapshot(today=TODAY, tracking_since=ago(60), checkins=checkins)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def discharged(days: int, level: str = "residential", **extra: object) -> Discharge:
    return Discharge(on=ago(days), from_level=level, **extra)  # type: ignore[arg-type]


def missed(snapshot: Snapshot, settings: RiskSettings = DEFAULTS) -> tuple[int, str] | None:
    found = [f for f in evaluate(snapshot, settings)[1] if f.rule_id == "checkin.missed"]
    return (found[0].level, found[0].reason) if found else None


# Point 2: missed check-ins inside the watch are one level higher, by the rule itself.


@pytest.mark.parametrize(
    ("quiet_days", "usual", "watched"),
    [(3, Severity.MODERATE, Severity.HIGH), (7, Severity.HIGH, Severity.URGENT)],
)
def test_it_raises_missed_check_ins_one_level_inside_the_watch(
    quiet_days: int, usual: int, watched: int
) -> None:
    assert missed(snap(last_checkin=quiet_days)) == (usual, f"No check-in for {quiet_days} days.")
    found = missed(snap(last_checkin=quiet_days, discharge=discharged(10)))
    assert found is not None
    assert found[0] == watched
    assert found[1] == (
        f"No check-in for {quiet_days} days, within 30 days of leaving residential care "
        f"(discharged {ago(10):%-d %b}): one level higher."
    )


def test_it_watches_after_any_discharge_with_plainer_words_after_outpatient_care() -> None:
    found = missed(snap(last_checkin=3, discharge=discharged(2, "outpatient")))
    assert found is not None
    assert found[0] == Severity.HIGH
    assert "within 30 days of discharge (discharged" in found[1]
    detox = missed(snap(last_checkin=3, discharge=discharged(2, "detox")))
    assert detox is not None and "of leaving detox" in detox[1]


def test_the_watch_is_the_discharge_day_and_the_organizations_window_after_it() -> None:
    assert missed(snap(last_checkin=3, discharge=discharged(30)))[0] == Severity.HIGH  # type: ignore[index]
    assert missed(snap(last_checkin=3, discharge=discharged(31)))[0] == Severity.MODERATE  # type: ignore[index]
    shorter = RiskSettings(transition_days=14)
    assert missed(snap(last_checkin=3, discharge=discharged(15)), shorter) == (
        Severity.MODERATE,
        "No check-in for 3 days.",
    )
    assert "within 14 days" in missed(snap(last_checkin=3, discharge=discharged(14)), shorter)[1]  # type: ignore[index]


def test_a_missed_check_in_is_raised_once_not_twice_after_residential() -> None:
    # Left residential and discharged: the rule has raised it, the overall bump must not.
    both = snap(
        last_checkin=3,
        discharge=discharged(5),
        left_intensive=("residential treatment", ago(5)),
    )
    level, flags, _ = evaluate(both, DEFAULTS)
    assert [(f.rule_id, f.level) for f in flags] == [("checkin.missed", Severity.HIGH)]
    assert level == Severity.HIGH


def test_the_missed_check_in_source_cites_the_overdose_evidence() -> None:
    rule = registry.get("checkin.missed")
    assert rule is not None and "Strang et al., BMJ 2003;326:959-60" in rule.source


# Point 4: a follow-up date that passes with no contact flags the patient.


def follow_up(snapshot: Snapshot) -> list[tuple[str, int, str]]:
    flags = evaluate(snapshot, DEFAULTS)[1]
    return [(f.rule_id, f.level, f.occurrence_key) for f in flags if f.rule_id.startswith("disc")]


def test_it_flags_a_follow_up_date_passed_without_contact() -> None:
    due = discharged(8, follow_up_on=ago(1))
    assert follow_up(snap(discharge=due)) == [
        ("discharge.follow_up_due", Severity.HIGH, f"discharge:{ago(8)}:follow-up:{ago(1)}")
    ]
    flag = evaluate(snap(discharge=due), DEFAULTS)[1][0]
    assert flag.reason == (
        f"Follow-up was due by {ago(1):%-d %b}: no check-in, questionnaire, signed note or "
        f"acknowledged alert since the discharge on {ago(8):%-d %b}."
    )


def test_it_waits_for_the_day_to_pass_and_stops_at_contact() -> None:
    assert follow_up(snap(discharge=discharged(7, follow_up_on=TODAY))) == [], "due today"
    contacted = discharged(8, follow_up_on=ago(1), contact_since=True)
    assert follow_up(snap(discharge=contacted)) == []
    assert follow_up(snap(discharge=discharged(8))) == [], "no follow-up date (older discharges)"


def test_the_follow_up_flag_is_its_own_level_not_raised_by_the_transition_bump() -> None:
    due = snap(discharge=discharged(8, follow_up_on=ago(1)), left_intensive=("detox", ago(8)))
    assert evaluate(due, DEFAULTS)[0] == Severity.HIGH


def test_a_follow_up_is_always_inside_the_watch() -> None:
    on = ago(0)
    assert follow_up_range(on, 30) == (on + dt.timedelta(days=1), on + dt.timedelta(days=29))
    latest = follow_up_range(on, 30)[1]
    assert watch_day(on, latest, latest + dt.timedelta(days=1), 30) == 30
    # A window too short for a follow-up still checks the day after it.
    assert follow_up_range(on, 0) == (on + dt.timedelta(days=1), on + dt.timedelta(days=1))
    assert watch_last_day(on, on + dt.timedelta(days=1), 0) == on + dt.timedelta(days=2)


# Point 5: being in the watch shows without any other flag.


def test_being_in_the_watch_is_shown_without_any_flag() -> None:
    level, flags, note = evaluate(snap(discharge=discharged(3, follow_up_on=ago(-4))), DEFAULTS)
    assert (level, flags) == (0, [])
    assert note == (
        f"Discharged {ago(3):%-d %b} from residential care: watched until "
        f"{ago(-27):%-d %b} (missed check-ins count one level higher)."
    )
    assert evaluate(snap(discharge=discharged(31)), DEFAULTS)[2] == "", "the watch is over"


def test_leaving_residential_for_outpatient_care_is_shown_without_any_flag() -> None:
    level, _, note = evaluate(snap(left_intensive=("residential treatment", ago(4))), DEFAULTS)
    assert (level, note) == (
        0,
        f"Left residential treatment 4 days ago: watched until {ago(-26):%-d %b}.",
    )


def test_other_flags_still_count_one_level_higher_after_residential() -> None:
    craving = (DayCheckIn(TODAY, 6, False, (), "c1"),)
    level, _, note = evaluate(
        snap(
            checkins=craving,
            discharge=discharged(4),
            left_intensive=("residential treatment", ago(4)),
        ),
        DEFAULTS,
    )
    assert (level, note) == (
        Severity.HIGH,
        "Left residential treatment 4 days ago: one level higher.",
    )
