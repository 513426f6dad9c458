"""The watch after a discharge: its days, the follow-up date, and the follow-up rule.

DESIGN, safety-net semantics: "silence is a signal". Lapse and overdose risk are highest
soon after leaving care, so for the organization's window (RiskSettings.transition_days,
30 days by default) the patient stays on the caseload as "recently discharged", missed
check-ins count one level higher (risk.rules, `checkin.missed`), and a follow-up date that
passes with no contact alerts the care team (`discharge.follow_up_due`, here). The watch
follows a discharge from any level of care; the words are stronger after detox or
residential care, where tolerance falls (Strang et al., BMJ 2003). Being in the watch shows
on its own, with or without a flag (risk.rules.evaluate's note). Pure functions: the
snapshot (risk.snapshot) gathers the data, `patients.transitions` asks the same in SQL.
"""

from __future__ import annotations

import datetime as dt

from waymark.alerts.models import Severity
from waymark.organizations.models import LevelOfCare
from waymark.risk.models import RiskSettings
from waymark.risk.registry import ClinicalRule, Discharge, Flag, Snapshot, register

INTENSIVE_WORDS: dict[str, str] = {
    LevelOfCare.DETOX: "detox",
    LevelOfCare.RESIDENTIAL: "residential care",
}


def watch_last_day(discharged_on: dt.date, follow_up_on: dt.date | None, window: int) -> dt.date:
    """The last day of the watch after a discharge.

    The watch is the discharge day and the `window` days after it ("the first 30 days
    after discharge"), and never ends before the day after the follow-up date, so a
    follow-up that passes without contact is always noticed.
    """
    last = discharged_on + dt.timedelta(days=window)
    if follow_up_on is not None:
        last = max(last, follow_up_on + dt.timedelta(days=1))
    return last


def watch_day(
    discharged_on: dt.date, follow_up_on: dt.date | None, today: dt.date, window: int
) -> int | None:
    """Days since the discharge (0 on its day) when `today` is inside its watch, else None."""
    if discharged_on <= today <= watch_last_day(discharged_on, follow_up_on, window):
        return (today - discharged_on).days
    return None


def follow_up_range(discharged_on: dt.date, window: int) -> tuple[dt.date, dt.date]:
    """The days a follow-up may be set for: from the day after the discharge (a contact on
    the discharge day is not a follow-up) to the day before the watch's last day, so that a
    follow-up that passes is noticed while the patient is still watched."""
    earliest = discharged_on + dt.timedelta(days=1)
    return earliest, max(earliest, discharged_on + dt.timedelta(days=window - 1))


FOLLOW_UP_DEFAULT_DAYS = 7  # suggested on the discharge form: the 7-day follow-up rate (FUI)


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
    id="discharge.follow_up_due",
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
