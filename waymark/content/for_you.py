"""The "for you" rail: a few transparent rules, each naming why an article is shown.

- in a detox (withdrawal management) program now → articles tagged "detox";
- a urinary symptom reported in a check-in in the last 14 days → tagged "bladder";
- a lapse in the last 14 days (a use against an abstinence goal, not a medicine taken as
  prescribed: `checkins.sobriety.lapses`) → tagged "lapse".
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
