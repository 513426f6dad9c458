"""Each rule on hand-made snapshots: where it fires, where it does not, and its level."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from waymark.alerts.models import Severity
from waymark.risk.models import RiskSettings
from waymark.risk.registry import Use
from waymark.risk.rules import (
    BamScore,
    DayCheckIn,
    Score,
    Snapshot,
    evaluate,
)

TODAY = dt.date(2026, 11, 27)
DEFAULTS = RiskSettings()


def day(
    back: int, craving: int = 2, safety: bool = False, symptoms: tuple[str, ...] = ()
) -> DayCheckIn:
    return DayCheckIn(TODAY - dt.timedelta(days=back), craving, safety, symptoms, f"c{back}")


def snap(**changes: object) -> Snapshot:
    base = Snapshot(today=TODAY, tracking_since=TODAY - dt.timedelta(days=60), checkins=(day(0),))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def flags(snapshot: Snapshot, settings: RiskSettings = DEFAULTS) -> dict[str, int]:
    _, found, _ = evaluate(snapshot, settings)
    return {flag.rule_id: flag.level for flag in found}


def test_a_quiet_day_raises_nothing() -> None:
    assert evaluate(snap(), DEFAULTS) == (0, [], "")


def test_a_safety_answer_is_urgent_for_a_week() -> None:
    assert flags(snap(checkins=(day(0), day(6, safety=True)))) == {
        "checkin.safety": Severity.URGENT
    }
    assert flags(snap(checkins=(day(0), day(7, safety=True)))) == {}


def test_phq9_item9_above_zero_is_urgent() -> None:
    score = Score(total=9, on=TODAY, response_id="r1", item9=1)
    assert flags(snap(phq9=(score,)))["phq9.item9"] == Severity.URGENT
    assert "phq9.item9" not in flags(snap(phq9=(dataclasses.replace(score, item9=0),)))


@pytest.mark.parametrize(
    ("use_days", "expected"),
    [(0, None), (1, ("use.reported", Severity.HIGH)), (2, ("use.reported", Severity.HIGH)),
     (3, ("use.repeated", Severity.URGENT))],
)  # fmt: skip
def test_reported_use_is_high_and_three_days_in_seven_urgent(
    use_days: int, expected: tuple[str, int] | None
) -> None:
    uses = tuple(Use("ketamine", TODAY - dt.timedelta(days=n), f"c{n}") for n in range(use_days))
    found = flags(snap(uses=uses))
    assert found == (dict([expected]) if expected else {})


def lapse(substance: str, back: int = 0, days_without: int | None = None) -> Use:
    return Use(substance, TODAY - dt.timedelta(days=back), f"c{back}", days_without)


@pytest.mark.parametrize("substance", ["alcohol", "opioids", "benzodiazepines", "ghb"])
def test_a_depressant_after_a_week_without_it_means_lower_tolerance(substance: str) -> None:
    found = evaluate(snap(uses=(lapse(substance, days_without=10),)), DEFAULTS)[1]

    by_rule = {flag.rule_id: flag for flag in found}
    assert by_rule["use.lower_tolerance"].level == Severity.HIGH
    assert "after 10 days without it" in by_rule["use.lower_tolerance"].reason
    assert "naloxone" in by_rule["use.lower_tolerance"].reason
    assert by_rule["use.reported"].level == Severity.HIGH, "it is still a lapse"


@pytest.mark.parametrize(
    ("use", "fires"),
    [
        (lapse("alcohol", days_without=7), True),  # the default threshold is 7 days
        (lapse("alcohol", days_without=6), False),
        (lapse("alcohol", days_without=3), False),
        (lapse("alcohol", days_without=None), False),  # nothing known before it
        (lapse("ketamine", days_without=30), False),  # not a depressant of this kind
        (lapse("stimulants", days_without=30), False),
        (lapse("opioids", back=6, days_without=400), True),  # still this week's lapse
    ],
)  # fmt: skip
def test_lower_tolerance_needs_a_depressant_and_a_break(use: Use, fires: bool) -> None:
    assert ("use.lower_tolerance" in flags(snap(uses=(use,)))) is fires


def test_the_lower_tolerance_threshold_follows_the_organizations_settings() -> None:
    ten_days = snap(uses=(lapse("alcohol", days_without=10),))
    fortnight = RiskSettings(tolerance_days=14)

    assert "use.lower_tolerance" in flags(ten_days)
    assert "use.lower_tolerance" not in flags(ten_days, fortnight)
    assert "use.lower_tolerance" in flags(
        snap(uses=(lapse("alcohol", days_without=14),)), fortnight
    )


def test_lower_tolerance_names_the_newest_lapse_after_a_break_once_per_lapse() -> None:
    uses = (lapse("alcohol", 0, days_without=2), lapse("opioids", 2, days_without=400))
    [flag] = [
        f for f in evaluate(snap(uses=uses), DEFAULTS)[1] if f.rule_id == "use.lower_tolerance"
    ]

    assert flag.reason.startswith("Used opioids on 25 Nov after more than a year without it")
    assert (flag.evidence_id, flag.occurrence_key) == ("c2", "use:c2:opioids")


def test_a_lapse_is_named_in_words_with_its_goal() -> None:
    [flag] = evaluate(snap(uses=(lapse("ghb"),)), DEFAULTS)[1]
    assert flag.reason == "Reported GHB / GBL use on 27 Nov (goal: not using it)."


@pytest.mark.parametrize(
    ("craving", "level"),
    [
        (5, None),
        (6, Severity.MODERATE),
        (7, Severity.MODERATE),
        (8, Severity.HIGH),
        (10, Severity.HIGH),
    ],
)
def test_craving_thresholds(craving: int, level: int | None) -> None:
    assert flags(snap(checkins=(day(0, craving=craving),))).get("craving.high") == level


def test_craving_thresholds_follow_the_organizations_settings() -> None:
    strict = RiskSettings(craving_high=6, craving_moderate=4)
    assert flags(snap(checkins=(day(0, craving=5),)), strict)["craving.high"] == Severity.MODERATE


def test_a_rising_craving_trend_is_moderate() -> None:
    before = tuple(day(n, craving=2) for n in range(7, 21))
    rising = tuple(day(n, craving=4) for n in range(0, 7))
    flat = tuple(day(n, craving=3) for n in range(0, 7))
    assert flags(snap(checkins=rising + before))["craving.rising"] == Severity.MODERATE
    assert "craving.rising" not in flags(snap(checkins=flat + before))
    assert "craving.rising" not in flags(snap(checkins=rising[:2] + before)), "needs 3 days"


@pytest.mark.parametrize(
    ("days", "level"),
    [(2, None), (3, Severity.MODERATE), (6, Severity.MODERATE), (7, Severity.HIGH)],
)
def test_missed_check_ins(days: int, level: int | None) -> None:
    assert flags(snap(checkins=(day(days),))).get("checkin.missed") == level


def test_missed_check_ins_count_from_admission_for_someone_new() -> None:
    new = snap(checkins=(), tracking_since=TODAY - dt.timedelta(days=1))
    assert "checkin.missed" not in flags(new)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (14, None),
        (15, Severity.MODERATE),
        (19, Severity.MODERATE),
        (20, Severity.HIGH),
        (27, Severity.HIGH),
    ],
)
def test_phq9_severity_bands(total: int, level: int | None) -> None:
    assert flags(snap(phq9=(Score(total, TODAY, "r1"),))).get("phq9.severe") == level


def test_a_phq9_rise_of_five_is_moderate() -> None:
    rise = (Score(12, TODAY, "r2"), Score(7, TODAY - dt.timedelta(days=14), "r1"))
    smaller = (Score(11, TODAY, "r2"), Score(7, TODAY - dt.timedelta(days=14), "r1"))
    assert flags(snap(phq9=rise))["phq9.rise"] == Severity.MODERATE
    assert "phq9.rise" not in flags(snap(phq9=smaller))


def test_bam_high_risk_with_low_protection_is_moderate() -> None:
    assert (
        flags(snap(bam=BamScore(12, 12, TODAY, "b")))["bam.risk_over_protection"]
        == Severity.MODERATE
    )
    assert "bam.risk_over_protection" not in flags(snap(bam=BamScore(12, 13, TODAY, "b")))
    assert "bam.risk_over_protection" not in flags(snap(bam=BamScore(11, 5, TODAY, "b")))


def test_ketamine_bladder_or_stomach_symptoms_are_high() -> None:
    found = evaluate(snap(checkins=(day(0, symptoms=("blood_in_urine",)),)), DEFAULTS)[1]
    assert [(f.rule_id, f.level) for f in found] == [("checkin.ketamine_symptoms", Severity.HIGH)]
    assert "medical review" in found[0].reason


def test_severe_withdrawal_counts_only_in_detox() -> None:
    severe = (("tremor", "sweating"), "w1")
    assert (
        flags(snap(in_detox=True, severe_withdrawal=severe))["detox.severe_withdrawal"]
        == Severity.HIGH
    )
    assert "detox.severe_withdrawal" not in flags(snap(in_detox=False, severe_withdrawal=severe))


def test_the_first_30_days_after_residential_are_one_level_higher() -> None:
    craving = (day(0, craving=6),)
    recently = snap(
        checkins=craving, left_intensive=("residential treatment", TODAY - dt.timedelta(days=12))
    )
    long_ago = snap(
        checkins=craving, left_intensive=("residential treatment", TODAY - dt.timedelta(days=31))
    )
    level, _, note = evaluate(recently, DEFAULTS)
    assert (level, note) == (
        Severity.HIGH,
        "Left residential treatment 12 days ago: one level higher.",
    )
    assert evaluate(long_ago, DEFAULTS)[0] == Severity.MODERATE
    assert evaluate(snap(left_intensive=("detox", TODAY)), DEFAULTS)[0] == 0, "no flags, no level"
    urgent = snap(checkins=(day(0, safety=True),), left_intensive=("detox", TODAY))
    assert evaluate(urgent, DEFAULTS)[0] == Severity.URGENT, "never above urgent"
