"""The risk rules over a patient's recent check-ins, uses, questionnaires and stays.

Each is a `ClinicalRule` in the one registry (`risk.registry`): an id, a plain-language
title, a usual severity, a rationale and a published source, with a small pure check
over a `Snapshot`. Thresholds come from the organization's RiskSettings; where a
threshold is Waymark's own choice the source says so ("Waymark default, adjustable per
organization"). No rule reads the database: `snapshot.py` gathers the data.
"""

from __future__ import annotations

from statistics import mean

from waymark.alerts.models import Severity
from waymark.risk.models import RiskSettings
from waymark.risk.registry import (
    NONE,
    BamScore,
    ClinicalRule,
    DayCheckIn,
    Flag,
    Score,
    Snapshot,
    register,
)
from waymark.risk.registry import evaluate as evaluate_rules

__all__ = ["BamScore", "DayCheckIn", "Flag", "Score", "Snapshot", "evaluate"]

WAYMARK_DEFAULT = "Waymark default, adjustable per organization"


def _recent(snapshot: Snapshot, days: int) -> list[DayCheckIn]:
    return [c for c in snapshot.checkins if (snapshot.today - c.day).days < days]


def _checkin_safety(s: Snapshot, t: RiskSettings) -> Flag | None:
    for checkin in _recent(s, 7):
        if checkin.safety:
            return CHECKIN_SAFETY.flag(
                f"Answered yes to the safety question (thoughts of self-harm or of being better "
                f"off dead) on {checkin.day:%-d %b}.",
                evidence=("checkin", checkin.checkin_id),
                occurrence=f"checkin:{checkin.checkin_id}:r{checkin.revision}",
            )
    return None


CHECKIN_SAFETY = ClinicalRule(
    id="checkin.safety",
    title="Safety answer in a check-in",
    severity=Severity.URGENT,
    rationale="Any thought of self-harm needs a person the same day; crisis help is shown at once.",
    source=(
        "Item wording after PHQ-9 item 9 (Kroenke, Spitzer & Williams, J Gen Intern Med "
        "2001;16:606-13); a positive answer calls for a same-day risk assessment (NICE NG225, "
        "Self-harm: assessment, management and preventing recurrence, 2022). Every yes is "
        "urgent and tells the care team again."
    ),
    check=_checkin_safety,
    safety=True,
)


def _phq9_item9(s: Snapshot, t: RiskSettings) -> Flag | None:
    for score in s.phq9[:1]:
        if score.item9 > 0 and (s.today - score.on).days < 30:
            return PHQ9_ITEM9.flag(
                f"PHQ-9 question 9 (thoughts of being better off dead or of self-harm) answered "
                f"{ITEM9_WORDS.get(score.item9, score.item9)} on {score.on:%-d %b}.",
                evidence=("questionnaire_response", score.response_id),
                occurrence=score.occurrence or f"questionnaire_response:{score.response_id}",
            )
    return None


ITEM9_WORDS = {1: "'Several days'", 2: "'More than half the days'", 3: "'Nearly every day'"}

PHQ9_ITEM9 = ClinicalRule(
    id="phq9.item9",
    title="PHQ-9 question 9 (self-harm) above 'not at all'",
    severity=Severity.URGENT,
    rationale="Any answer above 'not at all' needs a same-day suicide-risk assessment.",
    source=(
        "PHQ-9 item 9, LOINC 44260-8 (Kroenke, Spitzer & Williams, J Gen Intern Med "
        "2001;16:606-13); item 9 and later suicide attempts: Simon et al., Psychiatr Serv "
        "2013;64:1195-1202."
    ),
    check=_phq9_item9,
    safety=True,
)


def _lapse_occurrence(s: Snapshot) -> str:
    latest = s.uses[0]
    return f"use:{latest.checkin_id}:{latest.substance}"


def _repeated_use(s: Snapshot, t: RiskSettings) -> Flag | None:
    days = s.use_days
    if len(days) >= t.use_days_urgent:
        return USE_REPEATED.flag(
            f"Reported use on {len(days)} of the last 7 days.",
            evidence=("checkin", s.uses[0].checkin_id),
            occurrence=_lapse_occurrence(s),
        )
    return None


USE_REPEATED = ClinicalRule(
    id="use.repeated",
    title="Use on several days this week",
    severity=Severity.URGENT,
    rationale="Use on several days in a week can mean a lapse is becoming a relapse.",
    source=(
        "Witkiewitz & Marlatt, Am Psychol 2004;59:224-35 (lapse and relapse); threshold "
        f"3 days in 7: {WAYMARK_DEFAULT}."
    ),
    check=_repeated_use,
)


def _reported_use(s: Snapshot, t: RiskSettings) -> Flag | None:
    if not s.uses or len(s.use_days) >= t.use_days_urgent:
        return None
    latest = s.uses[0]
    return USE_REPORTED.flag(
        f"Reported {latest.substance} use on {latest.day:%-d %b}.",
        evidence=("checkin", latest.checkin_id),
        occurrence=_lapse_occurrence(s),
    )


USE_REPORTED = ClinicalRule(
    id="use.reported",
    title="Reported use (lapse)",
    severity=Severity.HIGH,
    rationale="A lapse is a high-risk moment; prompt contact helps it stay a lapse.",
    source="Witkiewitz & Marlatt, Am Psychol 2004;59:224-35 (relapse prevention).",
    check=_reported_use,
)


def _high_craving(s: Snapshot, t: RiskSettings) -> Flag | None:
    for checkin in _recent(s, 2)[:1]:
        if checkin.craving >= t.craving_high:
            level = Severity.HIGH
        elif checkin.craving >= t.craving_moderate:
            level = Severity.MODERATE
        else:
            return None
        return CRAVING_HIGH.flag(
            f"Craving {checkin.craving}/10 on {checkin.day:%-d %b}.",
            level=level,
            evidence=("checkin", checkin.checkin_id),
        )
    return None


CRAVING_HIGH = ClinicalRule(
    id="craving.high",
    title="Strong craving",
    severity=Severity.HIGH,
    rationale="Strong craving often comes before use.",
    source=(
        "Serre et al., Drug Alcohol Depend 2015;148:1-20 (craving predicts use in daily life); "
        f"thresholds 6 (moderate) and 8 (high) of 10: {WAYMARK_DEFAULT}."
    ),
    check=_high_craving,
)


def _rising_craving(s: Snapshot, t: RiskSettings) -> Flag | None:
    week = [c.craving for c in _recent(s, 7)]
    before = [c.craving for c in s.checkins if 7 <= (s.today - c.day).days < 21]
    if len(week) < 3 or len(before) < 3:
        return None
    rise = mean(week) - mean(before)
    if rise < float(t.craving_rise):
        return None
    year, week_number, _ = s.today.isocalendar()
    return CRAVING_RISING.flag(
        f"Craving this week averages {mean(week):.1f}, up {rise:.1f} on the 2 weeks before.",
        occurrence=f"week:{year}-{week_number}",
    )


CRAVING_RISING = ClinicalRule(
    id="craving.rising",
    title="Craving rising",
    severity=Severity.MODERATE,
    rationale="A rising trend can matter more than one bad day.",
    source=(
        "Serre et al., Drug Alcohol Depend 2015;148:1-20; threshold: the 7-day mean 2 points "
        f"over the 14 days before ({WAYMARK_DEFAULT})."
    ),
    check=_rising_craving,
)


def _missed_checkins(s: Snapshot, t: RiskSettings) -> Flag | None:
    last = s.checkins[0].day if s.checkins else s.tracking_since
    since = max(last, s.tracking_since)
    days = (s.today - since).days
    if days >= t.missed_days_high:
        level = Severity.HIGH
    elif days >= t.missed_days_moderate:
        level = Severity.MODERATE
    else:
        return None
    return CHECKIN_MISSED.flag(
        f"No check-in for {days} days.", level=level, occurrence=f"after:{since}:{level}"
    )


CHECKIN_MISSED = ClinicalRule(
    id="checkin.missed",
    title="Missed check-ins",
    severity=Severity.MODERATE,
    rationale="Stopping check-ins often comes with struggling; silence is a signal.",
    source=(
        "Disengagement and drop-out go with relapse (Brorson et al., Clin Psychol Rev "
        f"2013;33:1010-24); 3 days moderate, 7 high: {WAYMARK_DEFAULT}."
    ),
    check=_missed_checkins,
)


def _phq9_severity(s: Snapshot, t: RiskSettings) -> Flag | None:
    if not s.phq9:
        return None
    latest = s.phq9[0]
    if latest.total >= t.phq9_high:
        level = Severity.HIGH
    elif latest.total >= t.phq9_moderate:
        level = Severity.MODERATE
    else:
        return None
    return PHQ9_SEVERE.flag(
        f"PHQ-9 {latest.total} on {latest.on:%-d %b}.",
        level=level,
        evidence=("questionnaire_response", latest.response_id),
    )


PHQ9_SEVERE = ClinicalRule(
    id="phq9.severe",
    title="PHQ-9 moderately severe or severe",
    severity=Severity.HIGH,
    rationale="Severe depressive symptoms need clinical attention.",
    source=(
        "PHQ-9 bands (Kroenke et al., J Gen Intern Med 2001;16:606-13): 15-19 moderately "
        "severe, 20-27 severe."
    ),
    check=_phq9_severity,
)


def _phq9_rise(s: Snapshot, t: RiskSettings) -> Flag | None:
    if len(s.phq9) < 2:
        return None
    latest, previous = s.phq9[0], s.phq9[1]
    if latest.total - previous.total < t.phq9_rise:
        return None
    return PHQ9_RISE.flag(
        f"PHQ-9 rose from {previous.total} to {latest.total}.",
        evidence=("questionnaire_response", latest.response_id),
    )


PHQ9_RISE = ClinicalRule(
    id="phq9.rise",
    title="PHQ-9 rose by a reliable change",
    severity=Severity.MODERATE,
    rationale="A 5-point PHQ-9 change is clinically meaningful.",
    source="Löwe et al., Med Care 2004;42:1194-1201 (5 points is a reliable change).",
    check=_phq9_rise,
)


def _bam_balance(s: Snapshot, t: RiskSettings) -> Flag | None:
    bam = s.bam
    if not (bam and bam.risk >= t.bam_risk_high and bam.protective <= t.bam_protective_low):
        return None
    return BAM_BALANCE.flag(
        f"BAM risk factors {bam.risk} with protective factors {bam.protective} on {bam.on:%-d %b}.",
        evidence=("questionnaire_response", bam.response_id),
    )


BAM_BALANCE = ClinicalRule(
    id="bam.risk_over_protection",
    title="More risk factors than protection (BAM)",
    severity=Severity.MODERATE,
    rationale="More risk factors than protection.",
    source=(
        "Brief Addiction Monitor (Cacciola et al., J Subst Abuse Treat 2013;44:256-63); "
        f"thresholds risk >= 12 with protective <= 12: {WAYMARK_DEFAULT}."
    ),
    check=_bam_balance,
)


def _ketamine_symptoms(s: Snapshot, t: RiskSettings) -> Flag | None:
    from waymark.checkins.choices import KetamineSymptom

    for checkin in _recent(s, 7):
        if checkin.symptoms:
            named = "; ".join(
                KetamineSymptom(code).label.lower() if code in KetamineSymptom.values else code
                for code in checkin.symptoms
            )
            return KETAMINE_SYMPTOMS.flag(
                f"Reported possible ketamine-related symptoms ({named}) on "
                f"{checkin.day:%-d %b}: arrange a prompt medical review (bladder and abdomen).",
                evidence=("checkin", checkin.checkin_id),
            )
    return None


KETAMINE_SYMPTOMS = ClinicalRule(
    id="checkin.ketamine_symptoms",
    title="Possible ketamine bladder or abdominal symptoms",
    severity=Severity.HIGH,
    rationale="Ketamine bladder damage often improves if use stops and it is treated early.",
    source=(
        "Morgan & Curran, Addiction 2012;107:27-38; Winstock et al., BJU Int "
        "2012;110:1762-6 (urinary symptoms in people who use ketamine)."
    ),
    check=_ketamine_symptoms,
)


def _severe_withdrawal(s: Snapshot, t: RiskSettings) -> Flag | None:
    if not (s.in_detox and s.severe_withdrawal):
        return None
    symptoms, entry_id = s.severe_withdrawal
    named = ", ".join(sym.replace("_", " ") for sym in symptoms)
    return SEVERE_WITHDRAWAL.flag(
        f"Severe {named} in the withdrawal log.", evidence=("withdrawal_entry", entry_id)
    )


SEVERE_WITHDRAWAL = ClinicalRule(
    id="detox.severe_withdrawal",
    title="Severe withdrawal symptoms in detox",
    severity=Severity.HIGH,
    rationale="Severe symptoms during withdrawal management need a same-day review.",
    source=(
        "Symptom review in withdrawal management (SAMHSA TIP 45, Detoxification and Substance "
        "Abuse Treatment, 2006; revised 2015); no validated ketamine withdrawal scale exists, "
        f"so any 'severe' rating flags: {WAYMARK_DEFAULT}."
    ),
    check=_severe_withdrawal,
)


register(
    CHECKIN_SAFETY,
    PHQ9_ITEM9,
    USE_REPEATED,
    USE_REPORTED,
    CRAVING_HIGH,
    CRAVING_RISING,
    CHECKIN_MISSED,
    PHQ9_SEVERE,
    PHQ9_RISE,
    BAM_BALANCE,
    KETAMINE_SYMPTOMS,
    SEVERE_WITHDRAWAL,
)

TRANSITION = ClinicalRule(
    id="transition.recent_discharge",
    title="Recently left detox or residential care",
    severity=Severity.MODERATE,
    rationale="Tolerance falls during treatment; lapse and overdose risk are highest just after.",
    source=(
        "Strang et al., BMJ 2003;326:959-60 (loss of tolerance and overdose after detox); "
        f"a 30-day window: {WAYMARK_DEFAULT}."
    ),
)
register(TRANSITION)


def evaluate(snapshot: Snapshot, settings: RiskSettings) -> tuple[int, list[Flag], str]:
    """All flags, and the overall level (one level up soon after residential or detox)."""
    flags = evaluate_rules(snapshot, settings)
    level = max((flag.level for flag in flags), default=NONE)
    note = ""
    if level and snapshot.left_intensive:
        kind, ended = snapshot.left_intensive
        days = (snapshot.today - ended).days
        if 0 <= days < settings.transition_days:
            level = min(level + 10, Severity.URGENT)
            note = f"Left {kind} {days} day{'s' if days != 1 else ''} ago: one level higher."
    return level, flags, note
