"""Transparent risk rules: small pure functions over a snapshot of recent data.

Each rule has an id, a rationale and a source, and returns a Flag (with the reason a
clinician reads and the evidence it rests on) or None. Thresholds come from the
organization's RiskSettings. No rule reads the database: `snapshot.py` gathers the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from statistics import mean

from waymark.alerts.models import Severity
from waymark.risk.models import RiskSettings

NONE = 0


@dataclass(frozen=True)
class DayCheckIn:
    day: dt.date
    craving: int
    safety: bool
    symptoms: tuple[str, ...]
    checkin_id: str


@dataclass(frozen=True)
class Score:
    total: int
    on: dt.date
    response_id: str
    item9: int = 0
    band: str = ""


@dataclass(frozen=True)
class BamScore:
    risk: int
    protective: int
    on: dt.date
    response_id: str


@dataclass(frozen=True)
class Snapshot:
    today: dt.date
    tracking_since: dt.date
    checkins: tuple[DayCheckIn, ...] = ()  # newest first, last 21 days
    use_days: tuple[dt.date, ...] = ()  # distinct days with reported use, last 7 days
    last_use: tuple[str, dt.date, str] | None = None  # (substance, day, check-in id)
    phq9: tuple[Score, ...] = ()  # newest first
    bam: BamScore | None = None  # latest Likert-form BAM
    in_detox: bool = False
    severe_withdrawal: tuple[tuple[str, ...], str] | None = None  # (symptoms, entry id)
    left_intensive: tuple[str, dt.date] | None = None  # (level, day it ended)


@dataclass(frozen=True)
class Flag:
    rule_id: str
    level: int
    reason: str
    evidence_type: str = ""
    evidence_id: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    rationale: str
    source: str
    check: Callable[[Snapshot, RiskSettings], Flag | None]


def _recent(snapshot: Snapshot, days: int) -> list[DayCheckIn]:
    return [c for c in snapshot.checkins if (snapshot.today - c.day).days < days]


def safety_answer(s: Snapshot, t: RiskSettings) -> Flag | None:
    for checkin in _recent(s, 7):
        if checkin.safety:
            return Flag(
                "checkin.safety",
                Severity.URGENT,
                f"Answered yes to the safety question on {checkin.day:%-d %b}.",
                "checkin",
                checkin.checkin_id,
            )
    for score in s.phq9[:1]:
        if score.item9 > 0 and (s.today - score.on).days < 30:
            return Flag(
                "phq9.item9",
                Severity.URGENT,
                f"PHQ-9 item 9 (thoughts of self-harm) was {score.item9} on {score.on:%-d %b}.",
                "questionnaire_response",
                score.response_id,
            )
    return None


def reported_use(s: Snapshot, t: RiskSettings) -> Flag | None:
    if len(s.use_days) >= t.use_days_urgent:
        return Flag(
            "use.repeated",
            Severity.URGENT,
            f"Reported use on {len(s.use_days)} of the last 7 days.",
        )
    if s.last_use and (s.today - s.last_use[1]).days < 7:
        substance, day, checkin_id = s.last_use
        return Flag(
            "use.reported",
            Severity.HIGH,
            f"Reported {substance} use on {day:%-d %b}.",
            "checkin",
            checkin_id,
        )
    return None


def high_craving(s: Snapshot, t: RiskSettings) -> Flag | None:
    latest = _recent(s, 2)[:1]
    for checkin in latest:
        level = (
            Severity.HIGH
            if checkin.craving >= t.craving_high
            else Severity.MODERATE
            if checkin.craving >= t.craving_moderate
            else NONE
        )
        if level:
            return Flag(
                "craving.high",
                level,
                f"Craving {checkin.craving}/10 on {checkin.day:%-d %b}.",
                "checkin",
                checkin.checkin_id,
            )
    return None


def rising_craving(s: Snapshot, t: RiskSettings) -> Flag | None:
    week = [c.craving for c in _recent(s, 7)]
    before = [c.craving for c in s.checkins if 7 <= (s.today - c.day).days < 21]
    if len(week) < 3 or len(before) < 3:
        return None
    rise = mean(week) - mean(before)
    if rise >= float(t.craving_rise):
        return Flag(
            "craving.rising",
            Severity.MODERATE,
            f"Craving this week averages {mean(week):.1f}, up {rise:.1f} on the 2 weeks before.",
        )
    return None


def missed_checkins(s: Snapshot, t: RiskSettings) -> Flag | None:
    last = s.checkins[0].day if s.checkins else s.tracking_since
    days = (s.today - max(last, s.tracking_since)).days
    if days >= t.missed_days_high:
        return Flag("checkin.missed", Severity.HIGH, f"No check-in for {days} days.")
    if days >= t.missed_days_moderate:
        return Flag("checkin.missed", Severity.MODERATE, f"No check-in for {days} days.")
    return None


def phq9_severity(s: Snapshot, t: RiskSettings) -> Flag | None:
    if not s.phq9:
        return None
    latest = s.phq9[0]
    evidence = ("questionnaire_response", latest.response_id)
    if latest.total >= t.phq9_high:
        return Flag(
            "phq9.severe", Severity.HIGH, f"PHQ-9 {latest.total} on {latest.on:%-d %b}.", *evidence
        )
    if latest.total >= t.phq9_moderate:
        return Flag(
            "phq9.severe",
            Severity.MODERATE,
            f"PHQ-9 {latest.total} on {latest.on:%-d %b}.",
            *evidence,
        )
    return None


def phq9_rise(s: Snapshot, t: RiskSettings) -> Flag | None:
    if len(s.phq9) < 2:
        return None
    latest, previous = s.phq9[0], s.phq9[1]
    if latest.total - previous.total >= t.phq9_rise:
        return Flag(
            "phq9.rise",
            Severity.MODERATE,
            f"PHQ-9 rose from {previous.total} to {latest.total}.",
            "questionnaire_response",
            latest.response_id,
        )
    return None


def bam_balance(s: Snapshot, t: RiskSettings) -> Flag | None:
    bam = s.bam
    if bam and bam.risk >= t.bam_risk_high and bam.protective <= t.bam_protective_low:
        return Flag(
            "bam.risk_over_protection",
            Severity.MODERATE,
            f"BAM risk {bam.risk} with protective {bam.protective} on {bam.on:%-d %b}.",
            "questionnaire_response",
            bam.response_id,
        )
    return None


def ketamine_symptoms(s: Snapshot, t: RiskSettings) -> Flag | None:
    for checkin in _recent(s, 7):
        if checkin.symptoms:
            named = ", ".join(sym.replace("_", " ") for sym in checkin.symptoms)
            return Flag(
                "checkin.ketamine_symptoms",
                Severity.HIGH,
                f"Reported {named} on {checkin.day:%-d %b}: needs a medical review.",
                "checkin",
                checkin.checkin_id,
            )
    return None


def severe_withdrawal(s: Snapshot, t: RiskSettings) -> Flag | None:
    if s.in_detox and s.severe_withdrawal:
        symptoms, entry_id = s.severe_withdrawal
        named = ", ".join(sym.replace("_", " ") for sym in symptoms)
        return Flag(
            "detox.severe_withdrawal",
            Severity.HIGH,
            f"Severe {named} in the withdrawal log.",
            "withdrawal_entry",
            entry_id,
        )
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "checkin.safety",
        "Any thought of self-harm needs a person now.",
        "PHQ-9 item 9 (Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-13); "
        "Waymark safety policy: every positive safety answer is urgent.",
        safety_answer,
    ),
    Rule(
        "use.reported",
        "A lapse is a high-risk moment; prompt contact helps it stay a lapse.",
        "Witkiewitz & Marlatt, Am Psychol 2004;59:224-35 (relapse prevention); "
        "repeated use in a week (default 3 days) is urgent by Waymark's rules.",
        reported_use,
    ),
    Rule(
        "craving.high",
        "Strong craving often comes before use.",
        "Serre et al., Drug Alcohol Depend 2015;148:1-20 (craving predicts use in daily life).",
        high_craving,
    ),
    Rule(
        "craving.rising",
        "A rising trend can matter more than one bad day.",
        "Serre et al. 2015 (above); threshold: 7-day mean 2 points over the previous 14 days.",
        rising_craving,
    ),
    Rule(
        "checkin.missed",
        "Stopping check-ins often comes with struggling.",
        "Waymark rule: 3 days without a check-in is moderate, 7 high.",
        missed_checkins,
    ),
    Rule(
        "phq9.severe",
        "Severe depressive symptoms need clinical attention.",
        "PHQ-9 bands (Kroenke et al. 2001): 15-19 moderately severe, 20-27 severe.",
        phq9_severity,
    ),
    Rule(
        "phq9.rise",
        "A 5-point PHQ-9 change is clinically meaningful.",
        "Löwe et al., Med Care 2004;42:1194-1201.",
        phq9_rise,
    ),
    Rule(
        "bam.risk_over_protection",
        "More risk factors than protection.",
        "Brief Addiction Monitor (Cacciola et al., J Subst Abuse Treat 2013;44:256-63; "
        "VA manual: Risk >= 12, Protective <= 12).",
        bam_balance,
    ),
    Rule(
        "checkin.ketamine_symptoms",
        "Ketamine bladder damage often improves if caught early.",
        "Morgan & Curran, Addiction 2012;107:27-38; Winstock et al., BJU Int 2012;110:1762-6.",
        ketamine_symptoms,
    ),
    Rule(
        "detox.severe_withdrawal",
        "Severe symptoms during detox need same-day review.",
        "Waymark rule; no validated ketamine withdrawal scale exists.",
        severe_withdrawal,
    ),
)

TRANSITION_SOURCE = (
    "Risk of relapse and overdose is raised after leaving inpatient care "
    "(Strang et al., BMJ 2003;326:959-60)."
)


def evaluate(snapshot: Snapshot, settings: RiskSettings) -> tuple[int, list[Flag], str]:
    """All flags, and the overall level (one level up soon after residential or detox)."""
    flags = [flag for rule in RULES if (flag := rule.check(snapshot, settings)) is not None]
    level = max((flag.level for flag in flags), default=NONE)
    note = ""
    if level and snapshot.left_intensive:
        kind, ended = snapshot.left_intensive
        days = (snapshot.today - ended).days
        if 0 <= days < settings.transition_days:
            level = min(level + 10, Severity.URGENT)
            note = f"Left {kind} {days} day{'s' if days != 1 else ''} ago: one level higher."
    return level, flags, note


# Rule functions may emit a second id for a stronger case (item 9; repeated use).
SOURCES: dict[str, str] = {rule.id: rule.source for rule in RULES} | {
    "phq9.item9": RULES[0].source,
    "use.repeated": RULES[1].source,
}
