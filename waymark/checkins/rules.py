"""The check-in app's event rule: a patient in detox asks to talk to staff now.

The rules over check-in answers (the safety question, ketamine symptoms, use, craving)
live with the other risk rules in `risk/rules.py`, in the one registry; the check-in
service runs the ones that must not wait (`IMMEDIATE`) in its own transaction.
"""

from __future__ import annotations

from waymark.alerts.models import Severity
from waymark.risk.registry import ClinicalRule, Flag, register

# Run by the check-in service in the check-in's own transaction, before the worker's
# reassessment: a safety answer and ketamine symptoms never wait for a queue.
IMMEDIATE = ("checkin.safety", "checkin.ketamine_symptoms")

TALK_TO_STAFF = ClinicalRule(
    id="detox.talk_to_staff",
    title="Asked to talk to staff now (detox)",
    severity=Severity.URGENT,
    rationale="A patient in withdrawal management asked for a person now.",
    source=(
        "Withdrawal management is supervised care: a patient's request for help is answered "
        "at once (SAMHSA TIP 45, Detoxification and Substance Abuse Treatment, 2006; revised "
        "2015). Every request tells the care team."
    ),
    safety=True,
)
register(TALK_TO_STAFF)


def talk_to_staff_flag(day_of_stay: int, request_id: str) -> Flag:
    return TALK_TO_STAFF.flag(
        f"Asked to talk to staff now from the withdrawal log (day {day_of_stay} of detox).",
        evidence=("staff_request", request_id),
    )
