"""The risk rules over a patient's recent check-ins, uses, questionnaires and stays.

Each is a `ClinicalRule` in the one registry (`risk.registry`): an id, a plain-language
title, a usual severity, a rationale and a published source, with a small pure check
over a `Snapshot`. Thresholds come from the organization's RiskSettings; where a
threshold is Waymark's own choice the source says so ("Waymark default, adjustable per
organization"). No rule reads the database: `snapshot.py` gathers the data.
"""

from __future__ import annotations

import datetime as dt
from statistics import mean

from waymark.alerts.models import Severity
from waymark.patients.watch import watch_last_day
from waymark.risk.models import RiskSettings
from waymark.risk.registry import (
    NONE,
    BamScore,
    ClinicalRule,
    DayCheckIn,
    Flag,
    Score,
    Snapshot,
    Use,
    register,
)
from waymark.risk.registry import evaluate as evaluate_rules
from waymark.risk.watch import FOLLOW_UP_DUE, from_words, leaving
from waymark.risk.watch import watched as watched_discharge

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


# Use rules. `Snapshot.uses` holds lapses only (risk.snapshot, checkins.sobriety): a use
# against an abstinence goal that was not a medicine taken as prescribed. A use under a
# reduction goal, or of a substance with no goal (tobacco unless the patient chose to
# stop it), is recorded with the check-in but raises none of these flags.


def substance_name(substance: str) -> str:
    """A substance in a sentence: "alcohol", "opioids", "GHB / GBL"."""
    from waymark.patients.models import Substance

    if substance not in Substance.values:
        return substance
    label = Substance(substance).label.split(" (")[0]
    return label if label.split()[0].isupper() else label.lower()  # "GHB / GBL" stays


def _lapse_occurrence(use: Use) -> str:
    return f"use:{use.checkin_id}:{use.substance}"


def _repeated_use(s: Snapshot, t: RiskSettings) -> Flag | None:
    days = s.use_days
    if len(days) >= t.use_days_urgent:
        return USE_REPEATED.flag(
            f"Reported use on {len(days)} of the last 7 days.",
            evidence=("checkin", s.uses[0].checkin_id),
            occurrence=_lapse_occurrence(s.uses[0]),
        )
    return None


USE_REPEATED = ClinicalRule(
    id="use.repeated",
    title="Use on several days this week",
    severity=Severity.URGENT,
    rationale=(
        "Use on several days in a week, against an abstinence goal, can mean a lapse is "
        "becoming a relapse."
    ),
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
        f"Reported {substance_name(latest.substance)} use on {latest.day:%-d %b} "
        "(goal: not using it).",
        evidence=("checkin", latest.checkin_id),
        occurrence=_lapse_occurrence(latest),
    )


USE_REPORTED = ClinicalRule(
    id="use.reported",
    title="Reported use (lapse)",
    severity=Severity.HIGH,
    rationale=(
        "A use against an abstinence goal is a high-risk moment; prompt contact helps it "
        "stay a lapse."
    ),
    source="Witkiewitz & Marlatt, Am Psychol 2004;59:224-35 (relapse prevention).",
    check=_reported_use,
)

# Depressants whose tolerance falls within days without them: the old amount after a
# break can stop a person's breathing (alone, or mixed with another of them).
TOLERANCE_SUBSTANCES = frozenset({"opioids", "benzodiazepines", "ghb", "alcohol"})


def after_a_break(use: Use, t: RiskSettings) -> bool:
    """A lapse of a depressant after at least `tolerance_days` without it."""
    return (
        use.substance in TOLERANCE_SUBSTANCES
        and use.days_without_before is not None
        and use.days_without_before >= t.tolerance_days
    )


def _days_without(days: int) -> str:
    return "more than a year" if days >= 365 else f"{days} day{'s' if days != 1 else ''}"


def _lower_tolerance(s: Snapshot, t: RiskSettings) -> Flag | None:
    use = next((use for use in s.uses if after_a_break(use, t)), None)
    if use is None or use.days_without_before is None:
        return None
    return USE_LOWER_TOLERANCE.flag(
        f"Used {substance_name(use.substance)} on {use.day:%-d %b} after "
        f"{_days_without(use.days_without_before)} without it: tolerance is likely lower, so "
        "the risk of overdose is higher. Talk about naloxone, not using alone and not mixing.",
        evidence=("checkin", use.checkin_id),
        occurrence=_lapse_occurrence(use),
    )


USE_LOWER_TOLERANCE = ClinicalRule(
    id="use.lower_tolerance",
    title="Use after a break: lower tolerance, overdose risk",
    severity=Severity.HIGH,
    rationale=(
        "Tolerance to opioids, benzodiazepines, GHB and alcohol falls after days without "
        "them; the amount used before can now cause an overdose. The patient is shown "
        "overdose and naloxone guidance at once."
    ),
    source=(
        "Strang et al., BMJ 2003;326:959-60 (loss of tolerance and overdose after "
        "detoxification); WHO, Community management of opioid overdose, 2014 (naloxone); "
        f"7 days without: {WAYMARK_DEFAULT}."
    ),
    check=_lower_tolerance,
    # Overdose risk: every new lapse after a break tells the care team, whatever the alert's state.
    safety=True,
)

# Run by the check-in service in the check-in's own transaction, so that the care team
# hears of a lapse at once and the patient can be told so truthfully.
USE_RULES = (USE_REPORTED.id, USE_REPEATED.id, USE_LOWER_TOLERANCE.id)


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
    reason = f"No check-in for {days} days."
    watched = watched_discharge(s, t)
    if watched is not None:
        # Silence weighs more in the watch after a discharge (DESIGN: safety-net semantics).
        level = Severity(min(level + 10, Severity.URGENT))
        reason = (
            f"No check-in for {days} days, within {t.transition_days} days of "
            f"{leaving(watched)} (discharged {watched.on:%-d %b}): one level higher."
        )
    return CHECKIN_MISSED.flag(reason, level=level, occurrence=f"after:{since}:{level}")


CHECKIN_MISSED = ClinicalRule(
    id="checkin.missed",
    title="Missed check-ins",
    severity=Severity.MODERATE,
    rationale="Stopping check-ins often comes with struggling; silence is a signal.",
    source=(
        "Disengagement and drop-out go with relapse (Brorson et al., Clin Psychol Rev "
        f"2013;33:1010-24); 3 days moderate, 7 high: {WAYMARK_DEFAULT}. One level higher "
        "in the 30 days after discharge (Strang et al., BMJ 2003;326:959-60)."
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
    # The patient reads that their care team has been told: each severe entry tells them.
    safety=True,
)


register(
    CHECKIN_SAFETY,
    PHQ9_ITEM9,
    USE_REPEATED,
    USE_REPORTED,
    USE_LOWER_TOLERANCE,
    CRAVING_HIGH,
    CRAVING_RISING,
    CHECKIN_MISSED,
    PHQ9_SEVERE,
    PHQ9_RISE,
    BAM_BALANCE,
    KETAMINE_SYMPTOMS,
    SEVERE_WITHDRAWAL,
)


def _ago(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


# The watch after a discharge and the follow-up rule: risk/watch.py.
TRANSITION = ClinicalRule(
    id="transition.recent_discharge",
    title="Recently discharged, or recently left detox or residential care",
    severity=Severity.MODERATE,
    rationale=(
        "Tolerance falls during treatment; lapse and overdose risk are highest just after. "
        "The patient stays visible and other flags count one level higher."
    ),
    source=(
        "Strang et al., BMJ 2003;326:959-60 (loss of tolerance and overdose after detox); "
        f"a 30-day window: {WAYMARK_DEFAULT}."
    ),
)
register(TRANSITION)


def _left_intensive(snapshot: Snapshot, settings: RiskSettings) -> tuple[str, int] | None:
    if not snapshot.left_intensive:
        return None
    kind, ended = snapshot.left_intensive
    days = (snapshot.today - ended).days
    return (kind, days) if 0 <= days <= settings.transition_days else None


def evaluate(snapshot: Snapshot, settings: RiskSettings) -> tuple[int, list[Flag], str]:
    """All flags, the overall level, and a note when the patient is in a watch after care.

    Soon after leaving detox or residential care (a step down or a discharge) the other
    flags count one level higher. The missed check-in rule (in the watch after a
    discharge) and the follow-up rule weigh the watch themselves, so they are not raised
    twice. The note is there with or without flags: being in the watch is itself shown.
    """
    flags = evaluate_rules(snapshot, settings)
    watched = watched_discharge(snapshot, settings)
    self_weighted = {FOLLOW_UP_DUE.id} | ({CHECKIN_MISSED.id} if watched else set())
    level = max((f.level for f in flags if f.rule_id not in self_weighted), default=NONE)
    own = max((f.level for f in flags if f.rule_id in self_weighted), default=NONE)
    note = ""
    left = _left_intensive(snapshot, settings)
    if left is not None and level:
        kind, days = left
        level = min(level + 10, Severity.URGENT)
        note = f"Left {kind} {_ago(days)}: one level higher."
    elif watched is not None:
        # Dates, not "n days ago": the note stays true between reassessments.
        until = watch_last_day(watched.on, watched.follow_up_on, settings.transition_days)
        note = (
            f"Discharged {watched.on:%-d %b}{from_words(watched)}: watched until {until:%-d %b} "
            "(missed check-ins count one level higher)."
        )
    elif left is not None:
        kind, days = left
        until = snapshot.today + dt.timedelta(days=settings.transition_days - days)
        note = f"Left {kind} {_ago(days)}: watched until {until:%-d %b}."
    return max(level, own), flags, note
