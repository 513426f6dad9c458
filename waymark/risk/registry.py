"""The one registry of clinical rules: every rule that can flag a patient or raise an alert.

A rule is data plus a small pure function. It has an id (the alert's `rule_id`), a
plain-language title staff read, a usual severity, a rationale, and a published source
(a Waymark default threshold says so). Its `check` reads a `Snapshot` of the patient's
recent data and the organization's thresholds and returns a `Flag` or None. A rule with
no `check` is raised by an event rather than found in data (a "talk to staff now" tap).

Apps define their rules in their own `rules.py` and `register()` them; the risk app
imports every app's `rules` module when Django starts (`RiskConfig.ready`), so the
registry is complete before any request. The same Flag feeds both the alert and the
caseload reason: there is one place a rule's words come from.

`Flag.occurrence` says what makes two flags "the same occurrence" (the same check-in, the
same response, the same run of missed days). Alerts deduplicate on it: a flag whose
occurrence an alert has already seen is not news; anything else is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from waymark.alerts.models import Severity

if TYPE_CHECKING:
    from waymark.medications.rules import PatientFacts
    from waymark.risk.models import RiskSettings

NONE = 0


@dataclass(frozen=True)
class DayCheckIn:
    day: dt.date
    craving: int
    safety: bool
    symptoms: tuple[str, ...]
    checkin_id: str
    revision: int = 1  # each save of a check-in is a new answer


@dataclass(frozen=True)
class Score:
    total: int
    on: dt.date
    response_id: str
    item9: int = 0
    band: str = ""
    occurrence: str = ""  # what makes a safety answer the same one (a draft and its response)


@dataclass(frozen=True)
class BamScore:
    risk: int
    protective: int
    on: dt.date
    response_id: str


@dataclass(frozen=True)
class Rating:
    """A clinician's withdrawal rating (the CIWA-Ar): its total, band, and when it was made.

    `at` is in the patient's local time (the time a clinician reads in the reason); `age`
    is how long before the snapshot's moment it was made, so a rule can tell a rating that
    still describes the patient from one that no longer does.
    """

    total: int
    band: str  # the definition's band code: "minimal", "moderate", "severe"
    at: dt.datetime
    response_id: str
    age: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class Use:
    """A reported use of a substance of concern (a lapse, by the patient's goals)."""

    substance: str
    day: dt.date
    checkin_id: str
    days_without_before: int | None = None  # days since the previous use, if known


@dataclass(frozen=True)
class Discharge:
    """The patient's most recent discharge from an episode of care."""

    on: dt.date
    from_level: str  # the level of care of the last stay ("detox", "residential", …)
    follow_up_on: dt.date | None = None
    contact_since: bool = False  # check-in, response, signed note or handled alert since then


@dataclass(frozen=True)
class Snapshot:
    """What the rules read about one patient, gathered by `risk.snapshot.build`."""

    today: dt.date
    tracking_since: dt.date
    checkins: tuple[DayCheckIn, ...] = ()  # newest first, last 21 days
    uses: tuple[Use, ...] = ()  # lapses of the last 7 days, newest first
    phq9: tuple[Score, ...] = ()  # newest first
    bam: BamScore | None = None  # latest Likert-form BAM
    ciwa: Rating | None = None  # latest CIWA-Ar (alcohol withdrawal), whatever its age
    in_detox: bool = False
    severe_withdrawal: tuple[tuple[str, ...], str] | None = None  # (symptoms, entry id)
    left_intensive: tuple[str, dt.date] | None = None  # (level, day it ended)
    discharge: Discharge | None = None
    medications: PatientFacts | None = None

    @property
    def use_days(self) -> tuple[dt.date, ...]:
        return tuple(sorted({use.day for use in self.uses}, reverse=True))


@dataclass(frozen=True)
class Flag:
    """A rule fired: how serious, the sentence a clinician reads, and its evidence."""

    rule: ClinicalRule
    level: int
    reason: str
    evidence_type: str = ""
    evidence_id: str = ""
    occurrence: str = ""
    related_ids: frozenset[int] = frozenset()  # e.g. the medications a flag is about

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def occurrence_key(self) -> str:
        """Same key, same occurrence: by default the evidence, else the level."""
        if self.occurrence:
            return self.occurrence[:120]
        if self.evidence_id:
            return f"{self.evidence_type}:{self.evidence_id}"[:120]
        return f"level-{self.level}"

    @property
    def severity_css(self) -> str:
        return Severity(self.level).label.lower() if self.level in Severity.values else "low"


Check = Callable[[Snapshot, "RiskSettings"], Flag | None]


@dataclass(frozen=True)
class ClinicalRule:
    id: str
    title: str
    severity: Severity
    rationale: str
    source: str
    check: Check | None = field(default=None, compare=False)
    # Every new occurrence of a safety rule tells the care team again and restarts the
    # escalation clock, whatever the state of its alert (DESIGN: safety-net semantics).
    safety: bool = False

    def flag(
        self,
        reason: str,
        *,
        level: int | None = None,
        evidence: tuple[str, str] = ("", ""),
        occurrence: str = "",
        related_ids: Iterable[int] = (),
    ) -> Flag:
        return Flag(
            rule=self,
            level=self.severity if level is None else level,
            reason=reason,
            evidence_type=evidence[0],
            evidence_id=evidence[1],
            occurrence=occurrence,
            related_ids=frozenset(related_ids),
        )


_RULES: dict[str, ClinicalRule] = {}


class DuplicateRule(Exception):
    pass


def register(*rules: ClinicalRule) -> None:
    for rule in rules:
        if rule.id in _RULES and _RULES[rule.id] != rule:
            raise DuplicateRule(f"Two rules have the id {rule.id!r}.")
        _RULES[rule.id] = rule


def get(rule_id: str) -> ClinicalRule | None:
    return _RULES.get(rule_id)


def title_for(rule_id: str) -> str:
    """The plain-language name of a rule (the id itself only for a rule no longer defined)."""
    rule = _RULES.get(rule_id)
    return rule.title if rule else rule_id.replace(".", " ").replace("_", " ")


def all_rules() -> list[ClinicalRule]:
    return list(_RULES.values())


def evaluate(
    snapshot: Snapshot, settings: RiskSettings, *, only: Iterable[str] | None = None
) -> list[Flag]:
    """Every flag the registered rules (or just `only` of them) find in the snapshot."""
    wanted = set(only) if only is not None else None
    return [
        flag
        for rule in _RULES.values()
        if rule.check is not None
        and (wanted is None or rule.id in wanted)
        and (flag := rule.check(snapshot, settings)) is not None
    ]


def load_all() -> None:
    """Import every installed app's `rules` module so that each registers its rules."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("rules")
