"""The missed-appointment rule, in the one rule registry (raised by an event: a no-show).

A missed appointment is moderate; two in a row, or one in the watch after a discharge,
is high. The thresholds are Waymark defaults, adjustable per organization (the watch is
the organization's own `transition_days`).
"""

from __future__ import annotations

from waymark.alerts.models import Severity
from waymark.risk.registry import ClinicalRule, Flag, register

MISSED_APPOINTMENT = ClinicalRule(
    id="appointments.missed",
    title="Missed an appointment",
    severity=Severity.MODERATE,
    rationale=(
        "Missed sessions are among the earliest signs that a person is dropping out of "
        "treatment, and dropping out is followed by more relapse; a missed appointment soon "
        "after a discharge falls in the weeks of highest risk. Moderate for one; high for two "
        "in a row or one in the watch after a discharge (Waymark default, adjustable per "
        "organization)."
    ),
    source=(
        "Brorson HH, Ajo Arnevik E, Rand-Hendriksen K, Duckert F. Drop-out from addiction "
        "treatment: a systematic review of risk factors. Clin Psychol Rev 2013;33(8):1010-24. "
        "McKay JR. Continuing care research: what we have learned and where we are going. "
        "J Subst Abuse Treat 2009;36(2):131-45."
    ),
)
register(MISSED_APPOINTMENT)


def missed_flag(appointment_id: int, when: str, *, in_a_row: int, after_discharge: bool) -> Flag:
    """The flag for a missed appointment on `when` (the organization's local date and time)."""
    high = in_a_row >= 2 or after_discharge
    reason = f"Did not attend the appointment of {when}"
    if in_a_row >= 2:
        reason += f" ({in_a_row} missed in a row)"
    if after_discharge:
        reason += ", in the weeks after a discharge"
    return MISSED_APPOINTMENT.flag(
        reason + ".",
        level=Severity.HIGH if high else Severity.MODERATE,
        evidence=("appointment", str(appointment_id)),
    )
