"""The "for you" rail: a few transparent rules, each naming why an article is shown.

- in a detox (withdrawal management) program now → articles tagged "detox";
- a urinary symptom reported in a check-in in the last 14 days → tagged "bladder";
- a lapse in the last 14 days (a use against an abstinence goal, not a medicine taken as
  prescribed: `checkins.sobriety.lapses`) → tagged "lapse".

Healthy routines from one check-in's answers (`routines_for`, on its result page): under
6 hours' sleep or poor sleep → "sleep"; stress 7 or more → "stress"; mood low or very low →
"mood". Each picks the routine guides (tagged "routines") with that tag. The thresholds
are Waymark's own defaults for offering a guide, not clinical cut-offs; recommended adult
sleep is 7 hours or more (Watson et al., Sleep 2015, AASM/SRS consensus).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from waymark.checkins.choices import KetamineSymptom
from waymark.checkins.models import CheckIn
from waymark.checkins.queries import current_detox_stay
from waymark.checkins.sobriety import lapses
from waymark.content.library import Article, readable
from waymark.content.models import Audience
from waymark.patients.models import Patient

WINDOW_DAYS = 14
URINARY = {KetamineSymptom.BLADDER_PAIN, KetamineSymptom.URGENCY, KetamineSymptom.BLOOD_IN_URINE}


@dataclass(frozen=True)
class Suggestion:
    article: Article
    reason: str


def _reasons(patient: Patient, today: dt.date) -> list[tuple[str, str]]:
    """(tag, why) for each rule that applies."""
    since = today - dt.timedelta(days=WINDOW_DAYS)
    scope = {"organization_id": patient.organization_id, "patient": patient}
    reasons = []
    if current_detox_stay(patient) is not None:
        reasons.append(("detox", "You're in detox"))
    symptoms = CheckIn.objects.filter(**scope, local_date__gte=since).values_list(
        "symptoms", flat=True
    )
    if any(URINARY & set(day or []) for day in symptoms):
        reasons.append(("bladder", "You mentioned bladder symptoms in a recent check-in"))
    if lapses(patient).filter(used_on__gte=since).exists():
        reasons.append(("lapse", "After a lapse"))
    return reasons


SHORT_SLEEP_HOURS = 6
HIGH_STRESS = 7
LOW_MOOD = 2  # Mood.LOW
POOR_SLEEP = 2  # SleepQuality: poor or very poor


def _routine_reasons(checkin: CheckIn) -> list[tuple[str, str]]:
    reasons = []
    if checkin.sleep_hours < SHORT_SLEEP_HOURS or checkin.sleep_quality <= POOR_SLEEP:
        reasons.append(("sleep", "You slept badly last night"))
    if checkin.stress >= HIGH_STRESS:
        reasons.append(("stress", "Your stress was high today"))
    if checkin.mood <= LOW_MOOD:
        reasons.append(("mood", "Your mood was low today"))
    return reasons


def routines_for(patient: Patient, checkin: CheckIn) -> list[Suggestion]:
    """Short healthy-routine guides that this check-in's sleep, stress or mood call for."""
    reasons = _routine_reasons(checkin)
    if not reasons:
        return []
    guides = [
        article
        for article in readable(patient.organization, {Audience.PATIENT}).values()
        if "routines" in article.tags
    ]
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for tag, reason in reasons:
        for article in guides:
            if tag in article.tags and article.slug not in seen:
                seen.add(article.slug)
                suggestions.append(Suggestion(article, reason))
    return suggestions


def for_you(patient: Patient, today: dt.date | None = None) -> list[Suggestion]:
    articles = readable(patient.organization, {Audience.PATIENT, Audience.FAMILY}).values()
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for tag, reason in _reasons(patient, today or patient.local_today()):
        for article in articles:
            if tag in article.tags and article.slug not in seen:
                seen.add(article.slug)
                suggestions.append(Suggestion(article, reason))
    return suggestions
