"""The watch after a discharge: its days, the follow-up date, and the follow-up rule.

DESIGN, safety-net semantics: "silence is a signal". Lapse and overdose risk are highest
soon after leaving care, so for the organization's window (RiskSettings.transition_days,
30 days by default) the patient stays on the caseload as "recently discharged", missed
check-ins count one level higher (risk.rules, `checkin.missed`), and a follow-up date that
passes with no contact alerts the care team (`discharge.follow_up_due`, here). The watch
follows a discharge from any level of care; the words are stronger after detox or
residential care, where tolerance falls (Strang et al., BMJ 2003). Being in the watch shows
on its own, with or without a flag (risk.rules.evaluate's note). Pure functions: the
snapshot (risk.snapshot) gathers the data, `patients.transitions` asks the same in SQL;
the watch's dates are `patients.watch`.
"""

from __future__ import annotations

from waymark.alerts.models import Severity
from waymark.organizations.models import LevelOfCare

# The watch's dates are the patients app's (the caseload and the census use them too).
from waymark.patients.watch import FOLLOW_UP_RULE_ID, watch_day
from waymark.risk.models import RiskSettings
from waymark.risk.registry import ClinicalRule, Discharge, Flag, Snapshot, register

INTENSIVE_WORDS: dict[str, str] = {
    LevelOfCare.DETOX: "detox",
    LevelOfCare.RESIDENTIAL: "residential care",
}


def watched(s: Snapshot, t: RiskSettings) -> Discharge | None:
    """The patient's discharge, when today is inside the watch after it (None otherwise)."""
    d = s.discharge
    if d is None or watch_day(d.on, d.follow_up_on, s.today, t.transition_days) is None:
        return None
    return d


def leaving(d: Discharge) -> str:
    words = INTENSIVE_WORDS.get(d.from_level)
    return f"leaving {words}" if words else "discharge"


def _follow_up_due(s: Snapshot, t: RiskSettings) -> Flag | None:
    d = watched(s, t)
    if d is None or d.follow_up_on is None or s.today <= d.follow_up_on or d.contact_since:
        return None
    return FOLLOW_UP_DUE.flag(
        f"Follow-up was due by {d.follow_up_on:%-d %b}: no check-in, questionnaire, signed "
        f"note or acknowledged alert since the discharge on {d.on:%-d %b}.",
        # One alert per discharge, however many times the job looks.
        occurrence=f"discharge:{d.on.isoformat()}:follow-up:{d.follow_up_on.isoformat()}",
    )


FOLLOW_UP_DUE = ClinicalRule(
    id=FOLLOW_UP_RULE_ID,
    title="Follow-up after discharge is due",
    severity=Severity.HIGH,
    rationale=(
        "Contact soon after leaving care keeps people connected to treatment; a follow-up "
        "date that passes with no contact since the discharge is a gap to close."
    ),
    source=(
        "Follow-up within 7 and 30 days of discharge: NCQA HEDIS measure FUI (Follow-Up After "
        "High-Intensity Care for Substance Use Disorder); linkage to continuing care after "
        "withdrawal management: SAMHSA TIP 45 (2006; revised 2015). Date set per discharge, "
        "7 days suggested."
    ),
    check=_follow_up_due,
)
register(FOLLOW_UP_DUE)


def from_words(d: Discharge) -> str:
    words = INTENSIVE_WORDS.get(d.from_level)
    return f" from {words}" if words else ""
