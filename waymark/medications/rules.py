"""Medication safety flags: small pure rules, each with an id, a rationale and a source.

A rule reads `PatientFacts` (the patient's substances of concern and medications) and
returns a `SafetyFlag` or None. Nothing here touches the database, so each rule is
tested on its own and the same facts always give the same flags.

"Ketamine" is in the picture when it is one of the patient's substances of concern
(Patient.substances) or a current medication's name contains "ketamine" (ketamine or
esketamine given as treatment). Current means not stopped on or before today; planned
medications count, because that is when a warning helps most.

The clinical statements come from the Waymark clinical brief (shared/DESIGN.md,
"Ketamine-specific"), which the product's clinical lead maintains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from waymark.alerts.models import Severity
from waymark.medications.models import DrugClass, PrescribedFor
from waymark.patients.models import Substance
from waymark.risk.registry import ClinicalRule, Flag, Snapshot, register

if TYPE_CHECKING:
    from waymark.risk.models import RiskSettings

BRIEF = "Waymark clinical brief (shared/DESIGN.md, Ketamine-specific)"
# Long-acting naltrexone (monthly injection) and buprenorphine depots stay in the
# system for weeks after the last dose, so a recent stop still counts for review.
STILL_IN_SYSTEM_DAYS = 30


CLASS_WORDS: dict[str, str] = {
    DrugClass.OPIOID_AGONIST: "opioid agonist",
    DrugClass.BUPRENORPHINE: "buprenorphine",
    DrugClass.NALTREXONE: "naltrexone",
    DrugClass.BENZODIAZEPINE: "benzodiazepine",
    DrugClass.GHB: "GHB / sodium oxybate",
    DrugClass.STIMULANT: "stimulant",
    DrugClass.ALCOHOL_RELATED: "alcohol-related",
    DrugClass.ANTIDEPRESSANT: "antidepressant",
    DrugClass.OTHER: "other",
}


@dataclass(frozen=True)
class MedicationFacts:
    id: int | None
    name: str
    drug_class: str
    current: bool
    days_since_stopped: int | None = None
    prescribed_for: str = ""
    prescribed_for_detail: str = ""

    @property
    def is_ketamine(self) -> bool:
        return "ketamine" in self.name.casefold()

    def describe(self) -> str:
        word = CLASS_WORDS.get(self.drug_class, "other")
        return self.name if word.casefold() in self.name.casefold() else f"{self.name} ({word})"


@dataclass(frozen=True)
class PatientFacts:
    substances: frozenset[str]
    medications: tuple[MedicationFacts, ...] = ()

    @property
    def current(self) -> list[MedicationFacts]:
        return [medication for medication in self.medications if medication.current]

    def ketamine_sources(self) -> list[str]:
        """Where ketamine comes into the picture, in words ("" if nowhere)."""
        found = ["ketamine (substance of concern)"] if Substance.KETAMINE in self.substances else []
        found += [f"{m.name} (ketamine)" for m in self.current if m.is_ketamine]
        return found


SafetyRule = ClinicalRule  # a medication rule is a clinical rule like any other
SafetyFlag = Flag


Check = Callable[[PatientFacts], Flag | None]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ids(medications: Iterable[MedicationFacts]) -> frozenset[int]:
    return frozenset(m.id for m in medications if m.id is not None)


def _flag(rule: ClinicalRule, reason: str, medications: list[MedicationFacts]) -> Flag:
    """A flag about these medications; a new medication in it is a new occurrence."""
    ids = _ids(medications)
    return rule.flag(
        f"{rule.title}: {reason[0].upper()}{reason[1:]}",
        evidence=("medication", str(min(ids))) if ids else ("", ""),
        occurrence="medications:" + ",".join(str(i) for i in sorted(ids)) if ids else "",
        related_ids=ids,
    )


DEPRESSED_BREATHING = SafetyRule(
    id="medication.depressed_breathing",
    severity=Severity.HIGH,
    title="Risk of depressed breathing",
    rationale=(
        "Ketamine with opioids, benzodiazepines, GHB or alcohol raises the risk of serious "
        "harm: the effects add up and breathing can slow dangerously. Review the combination "
        "with the patient and the prescriber, and make sure the patient and the people around "
        "them know when to call the emergency number."
    ),
    source=(
        f"{BRIEF}: co-use of ketamine with opioids, GHB, benzodiazepines or alcohol raises "
        "the risk of serious harm (depressed breathing)."
    ),
)
_SEDATING_CLASSES = {DrugClass.OPIOID_AGONIST, DrugClass.BENZODIAZEPINE, DrugClass.GHB}
_SEDATING_SUBSTANCES = (Substance.OPIOIDS, Substance.BENZODIAZEPINES, Substance.ALCOHOL)


def depressed_breathing(facts: PatientFacts) -> SafetyFlag | None:
    ketamine = facts.ketamine_sources()
    medications = [m for m in facts.current if m.drug_class in _SEDATING_CLASSES]
    substances = [s for s in _SEDATING_SUBSTANCES if s in facts.substances]
    if not ketamine or not (medications or substances):
        return None
    others = [m.describe() for m in medications]
    others += [f"{Substance(s).label.lower()} (substance of concern)" for s in substances]
    reason = f"{_join(ketamine)} with {_join(others)}."
    return _flag(DEPRESSED_BREATHING, reason, medications)


KETAMINE_EFFECT_UNKNOWN = SafetyRule(
    id="medication.ketamine_effect_unknown",
    severity=Severity.MODERATE,
    title="Effect of ketamine treatment unknown: review",
    rationale=(
        "Whether ketamine treatment works while buprenorphine or naltrexone is in the system is "
        "not known (published findings disagree). Review the plan with the prescriber. A stop "
        f"in the last {STILL_IN_SYSTEM_DAYS} days still counts: long-acting forms stay in the "
        "system for weeks."
    ),
    source=(
        f"{BRIEF}. Conflicting evidence: Williams NR et al., Am J Psychiatry 2018;175(12):"
        "1205-1215; Yoon G et al., JAMA Psychiatry 2019;76(3):337-338."
    ),
)
_OPIOID_MODULATORS = {DrugClass.BUPRENORPHINE, DrugClass.NALTREXONE}


def ketamine_effect_unknown(facts: PatientFacts) -> SafetyFlag | None:
    ketamine = facts.ketamine_sources()
    in_system = [
        m
        for m in facts.medications
        if m.drug_class in _OPIOID_MODULATORS
        and (
            m.current
            or (m.days_since_stopped is not None and m.days_since_stopped <= STILL_IN_SYSTEM_DAYS)
        )
    ]
    if not ketamine or not in_system:
        return None
    found = [m.describe() + ("" if m.current else ", stopped recently") for m in in_system]
    reason = f"{_join(ketamine)} with {_join(found)}."
    return _flag(KETAMINE_EFFECT_UNKNOWN, reason, in_system)


STIMULANTS_WITH_ALCOHOL = SafetyRule(
    id="medication.stimulants_with_alcohol",
    severity=Severity.MODERATE,
    title="Cardiovascular risk: stimulants with alcohol",
    rationale=(
        "Stimulants with alcohol raise the risk to the heart and circulation (heart rhythm, "
        "blood pressure, heart attack); cocaine with alcohol forms cocaethylene, which is more "
        "toxic to the heart than either. Review the stimulant and the patient's drinking."
    ),
    source=f"{BRIEF}: stimulants with alcohol raise cardiovascular risk.",
)


def stimulants_with_alcohol(facts: PatientFacts) -> SafetyFlag | None:
    if Substance.ALCOHOL not in facts.substances:
        return None
    medications = [m for m in facts.current if m.drug_class == DrugClass.STIMULANT]
    stimulants = [m.describe() for m in medications]
    if Substance.STIMULANTS in facts.substances:
        stimulants.append("stimulants (substance of concern)")
    if not stimulants:
        return None
    reason = f"{_join(stimulants)} with alcohol (substance of concern)."
    return _flag(STIMULANTS_WITH_ALCOHOL, reason, medications)


NO_APPROVED_MEDICATION = SafetyRule(
    id="medication.no_approved_for_ketamine",
    severity=Severity.MODERATE,
    title="No medication is approved for ketamine use disorder",
    rationale=(
        "No medication is approved for ketamine use disorder. Some medicines treat withdrawal "
        "symptoms and cravings: say which symptom this one is for, and review it as off-label "
        "use."
    ),
    source=f"{BRIEF}: no medication is approved for ketamine use disorder.",
)


def no_approved_medication(facts: PatientFacts) -> SafetyFlag | None:
    medications = [
        m
        for m in facts.current
        if m.prescribed_for == PrescribedFor.KETAMINE_USE_DISORDER
        or "ketamine" in m.prescribed_for_detail.casefold()
    ]
    if not medications:
        return None
    reason = f"{_join([m.name for m in medications])} recorded as for ketamine use disorder."
    return _flag(NO_APPROVED_MEDICATION, reason, medications)


RULES: tuple[tuple[SafetyRule, Check], ...] = (
    (DEPRESSED_BREATHING, depressed_breathing),
    (KETAMINE_EFFECT_UNKNOWN, ketamine_effect_unknown),
    (STIMULANTS_WITH_ALCOHOL, stimulants_with_alcohol),
    (NO_APPROVED_MEDICATION, no_approved_medication),
)


def evaluate(facts: PatientFacts) -> list[Flag]:
    """Every flag the facts raise, the most serious first."""
    flags = [flag for _, check in RULES if (flag := check(facts)) is not None]
    return sorted(flags, key=lambda flag: -flag.level)


def _on_snapshot(check: Check) -> Callable[[Snapshot, RiskSettings], Flag | None]:
    """The rule as the risk engine runs it: only flags a medication is part of count
    there (a combination of substances of concern alone is shown with the medications)."""

    def run(snapshot: Snapshot, settings: RiskSettings) -> Flag | None:
        flag = check(snapshot.medications) if snapshot.medications is not None else None
        return flag if flag is not None and flag.related_ids else None

    return run


register(
    *(
        ClinicalRule(
            id=rule.id,
            title=rule.title,
            severity=rule.severity,
            rationale=rule.rationale,
            source=rule.source,
            check=_on_snapshot(check),
        )
        for rule, check in RULES
    )
)
