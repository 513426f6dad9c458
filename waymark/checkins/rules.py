"""The rules that turn a check-in or a detox request into an alert for the care team.

Each rule is a small pure function of the answers, with an id (the alert's rule_id),
why it exists, and where it comes from. services.py raises their alerts inside the
transaction that stores the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from waymark.alerts.models import Severity
from waymark.alerts.services import AlertRule
from waymark.checkins.choices import KetamineSymptom


class CheckInAnswers(Protocol):
    """What the rules read: a stored CheckIn or the data about to be stored."""

    @property
    def safety_concern(self) -> bool: ...

    @property
    def symptoms(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Finding:
    """A rule fired: the alert to raise and the sentence the clinician reads."""

    rule: AlertRule
    reason: str


@dataclass(frozen=True)
class CheckInRule:
    alert: AlertRule
    rationale: str
    check: Callable[[CheckInAnswers], Finding | None]

    @property
    def id(self) -> str:
        return self.alert.id


SAFETY = AlertRule(
    id="checkin.safety",
    severity=Severity.URGENT,
    source=(
        "Waymark safety policy (DESIGN.md): any thought of self-harm or of being better off "
        "dead shows crisis help at once and raises an urgent alert; nothing waits for a person."
    ),
)
KETAMINE_SYMPTOMS = AlertRule(
    id="checkin.ketamine_symptoms",
    severity=Severity.HIGH,
    source=(
        "Ketamine uropathy and 'K-cramps' (DESIGN.md): urinary frequency, urgency, bladder or "
        "pelvic pain, blood in urine, recurrent severe abdominal pain; often improves when use "
        "stops early, so prompt medical review is needed."
    ),
)
TALK_TO_STAFF = AlertRule(
    id="detox.talk_to_staff",
    severity=Severity.URGENT,
    source="Waymark detox policy: a patient in withdrawal management asked to talk to staff now.",
)


def safety_rule(answers: CheckInAnswers) -> Finding | None:
    if not answers.safety_concern:
        return None
    return Finding(
        SAFETY,
        "Answered yes to the check-in safety question (thoughts of self-harm or of being "
        "better off dead). Crisis help was shown; please contact them today.",
    )


def ketamine_symptoms_rule(answers: CheckInAnswers) -> Finding | None:
    reported = [KetamineSymptom(code).label.lower() for code in answers.symptoms]
    if not reported:
        return None
    return Finding(
        KETAMINE_SYMPTOMS,
        f"Reported possible ketamine-related symptoms ({'; '.join(reported)}): "
        "arrange a prompt medical review (bladder and abdomen).",
    )


CHECKIN_RULES: tuple[CheckInRule, ...] = (
    CheckInRule(
        SAFETY,
        "A yes to the safety question may mean the person is at risk of harming themselves.",
        safety_rule,
    ),
    CheckInRule(
        KETAMINE_SYMPTOMS,
        "Urinary and abdominal symptoms in people who use ketamine can mean bladder or "
        "abdominal damage that often improves if it is treated early.",
        ketamine_symptoms_rule,
    ),
)


def evaluate_checkin(answers: CheckInAnswers) -> list[Finding]:
    """Every finding the check-in rules make about these answers."""
    return [finding for rule in CHECKIN_RULES if (finding := rule.check(answers)) is not None]


def talk_to_staff_finding(day_of_stay: int) -> Finding:
    return Finding(
        TALK_TO_STAFF,
        f"Asked to talk to staff now from the withdrawal log (day {day_of_stay} of detox).",
    )
