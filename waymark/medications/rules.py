"""Medication safety rules: each one `ClinicalRule`, defined once with its check.

A rule reads `PatientFacts` (the patient's substances of concern and medications) and
returns a `Flag` or None; nothing here touches the database, so each rule is tested on
its own and the same facts always give the same flags. "Current" means not stopped on
or before today, so planned medications count: that is when a warning helps most.

Two views of the same rule, from the same function:
- on the medications page (`evaluate`), every flag shows, including one that comes from
  substances of concern alone (ketamine with alcohol, say): it is for information;
- in the risk reassessment (the rule's registered `check`, a `MedicationCheck`), only a
  flag that a current or planned medication is part of counts: it raises an alert and
  is a reason on the caseload. `Flag.related_ids` names those medications.

"Ketamine given as treatment" is a current medication whose name contains "ketamine"
(ketamine, esketamine, "Spravato (esketamine)"); "ketamine as a substance of concern" is
Patient.substances. The two are different facts and the rules keep them apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from waymark.alerts.models import Severity
from waymark.medications.models import DrugClass, PrescribedFor
from waymark.medications.vocabulary import is_long_acting
from waymark.patients.models import Substance
from waymark.risk.registry import ClinicalRule, Flag, Snapshot, register

if TYPE_CHECKING:
    from waymark.risk.models import RiskSettings

# Long-acting naltrexone (monthly injection) and buprenorphine depots stay in the
# system for weeks after the last dose, so their recent stop still counts.
STILL_IN_SYSTEM_DAYS = 30


CLASS_WORDS: dict[str, str] = {
    DrugClass.OPIOID_AGONIST: "opioid agonist",
    DrugClass.BUPRENORPHINE: "buprenorphine",
    DrugClass.NALTREXONE: "naltrexone",
    DrugClass.BENZODIAZEPINE: "benzodiazepine",
    DrugClass.GHB: "GHB",
    DrugClass.GABAPENTINOID: "gabapentinoid",
    DrugClass.STIMULANT: "stimulant",
    DrugClass.ALCOHOL_RELATED: "alcohol-related",
    DrugClass.ANTIDEPRESSANT: "antidepressant",
    DrugClass.OTHER: "other",
}
# Medicines that slow breathing, alone and more so with another depressant.
BREATHING_DEPRESSANTS = frozenset(
    {
        DrugClass.OPIOID_AGONIST,
        DrugClass.BUPRENORPHINE,
        DrugClass.BENZODIAZEPINE,
        DrugClass.GHB,
        DrugClass.GABAPENTINOID,
    }
)
# Substances of concern that depress the central nervous system.
DEPRESSANT_SUBSTANCES = (
    Substance.KETAMINE,
    Substance.OPIOIDS,
    Substance.BENZODIAZEPINES,
    Substance.GHB,
    Substance.ALCOHOL,
)


@dataclass(frozen=True)
class MedicationFacts:
    id: int | None
    name: str
    drug_class: str
    current: bool
    days_since_stopped: int | None = None
    prescribed_for: str = ""
    prescribed_for_detail: str = ""
    started_on: dt.date | None = None
    stopped_on: dt.date | None = None
    dose: str = ""

    @property
    def is_ketamine(self) -> bool:
        """Ketamine or esketamine given as treatment."""
        return "ketamine" in self.name.casefold()

    @property
    def depresses_breathing(self) -> bool:
        return self.drug_class in BREATHING_DEPRESSANTS

    @property
    def long_acting(self) -> bool:
        return is_long_acting(self.name, self.dose)

    def overlaps(self, other: MedicationFacts) -> bool:
        """Taken on a common day (a stop date is the first day without it).

        A planned replacement that starts the day the other stops does not overlap it.
        """
        starts_before_other_stops = (
            self.started_on is None
            or other.stopped_on is None
            or self.started_on < other.stopped_on
        )
        other_starts_before_this_stops = (
            other.started_on is None
            or self.stopped_on is None
            or other.started_on < self.stopped_on
        )
        return starts_before_other_stops and other_starts_before_this_stops

    def describe(self) -> str:
        """Name and kind: "Methadone (opioid agonist)", "Lyrica (pregabalin, gabapentinoid)"."""
        word = (
            "given as treatment" if self.is_ketamine else CLASS_WORDS.get(self.drug_class, "other")
        )
        if word.casefold() in self.name.casefold():
            return self.name
        if self.name.endswith(")"):
            return f"{self.name[:-1]}, {word})"
        return f"{self.name} ({word})"


@dataclass(frozen=True)
class PatientFacts:
    substances: frozenset[str]
    medications: tuple[MedicationFacts, ...] = ()

    @property
    def current(self) -> list[MedicationFacts]:
        return [medication for medication in self.medications if medication.current]

    @property
    def ketamine_treatments(self) -> list[MedicationFacts]:
        return [medication for medication in self.current if medication.is_ketamine]


FindFlag = Callable[[PatientFacts], Flag | None]


@dataclass(frozen=True)
class MedicationCheck:
    """A medication rule's check as the risk engine runs it: the flag `find` gives, when a
    current or planned medication is part of it (a combination of substances of concern
    alone is shown with the medications, for information, and raises no alert)."""

    find: FindFlag

    def __call__(self, snapshot: Snapshot, settings: RiskSettings) -> Flag | None:
        if snapshot.medications is None:
            return None
        flag = self.find(snapshot.medications)
        return flag if flag is not None and flag.related_ids else None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


SUBSTANCE_WORDS: dict[str, str] = {
    Substance.KETAMINE: "ketamine",
    Substance.OPIOIDS: "opioids",
    Substance.BENZODIAZEPINES: "benzodiazepines",
    Substance.GHB: "GHB / GBL",
    Substance.ALCOHOL: "alcohol",
    Substance.STIMULANTS: "stimulants",
}


def _substance(substance: str) -> str:
    return f"{SUBSTANCE_WORDS[substance]} (substance of concern)"


def _ago(days: int | None) -> str:
    return "today" if not days else "1 day ago" if days == 1 else f"{days} days ago"


def _flag(rule: ClinicalRule, reason: str, medications: Iterable[MedicationFacts]) -> Flag:
    """A flag about these medications (none: substances only, for information).

    The occurrence is the newest medication in it (ids grow as medications are added): a
    medication added to the combination is news; one stopped, leaving the newer ones, is
    not (a lower risk is no reason to tell the care team again).
    The reason starts with the rule's title, as the alert inbox and caseload show it alone.
    """
    ids = sorted({m.id for m in medications if m.id is not None})
    return rule.flag(
        f"{rule.title}: {reason[0].upper()}{reason[1:]}",
        evidence=("medication", str(ids[-1])) if ids else ("", ""),
        related_ids=ids,
    )


# --- Depressed breathing -------------------------------------------------------------


def depressed_breathing(facts: PatientFacts) -> Flag | None:
    """A breathing depressant medication with another depressant; else, for information,
    two depressant substances of concern (or ketamine treatment with one)."""
    substances = [s for s in DEPRESSANT_SUBSTANCES if s in facts.substances]
    depressants = [m for m in facts.current if m.depresses_breathing or m.is_ketamine]

    def combined(medication: MedicationFacts) -> bool:
        others = [m for m in depressants if m is not medication and m.overlaps(medication)]
        if medication.depresses_breathing:
            return bool(substances) or bool(others)
        return any(m.depresses_breathing for m in others)  # ketamine treatment

    involved = [m for m in depressants if combined(m)]
    if involved:
        first, *others = sorted(involved, key=lambda m: not m.depresses_breathing)
        partners = [m.describe() for m in others] + [_substance(s) for s in substances]
        return _flag(DEPRESSED_BREATHING, f"{first.describe()} with {_join(partners)}.", involved)
    # For information: ketamine (either kind) with another depressant substance, or two
    # such substances; ketamine treatment for ketamine use is a rule of its own.
    sources = [m.describe() for m in facts.ketamine_treatments]
    sources += [_substance(s) for s in substances]
    if any(s != Substance.KETAMINE for s in substances) and len(sources) >= 2:
        return _flag(DEPRESSED_BREATHING, f"{sources[0]} with {_join(sources[1:])}.", [])
    return None


DEPRESSED_BREATHING = ClinicalRule(
    id="medication.depressed_breathing",
    severity=Severity.HIGH,
    title="Risk of depressed breathing",
    rationale=(
        "Opioids (methadone and buprenorphine included), benzodiazepines, GHB / sodium oxybate "
        "and gabapentin or pregabalin each slow breathing; with another depressant (ketamine, "
        "alcohol, or one another) the effects add up and breathing can stop. Review the "
        "combination with the prescriber and the patient, offer naloxone, and make sure the "
        "patient and the people around them know the signs and when to call the emergency "
        "number. Do not stop opioid treatment because of it: stopping raises the risk of "
        "overdose."
    ),
    source=(
        "FDA Drug Safety Communications: opioids with benzodiazepines, boxed warning "
        "(31 Aug 2016); buprenorphine or methadone with benzodiazepines or other CNS "
        "depressants (20 Sep 2017); gabapentin or pregabalin with opioids or other CNS "
        "depressants (19 Dec 2019)."
    ),
    check=MedicationCheck(depressed_breathing),
)


# --- Ketamine given to a person whose substance of concern is ketamine -----------------


def ketamine_for_ketamine_use(facts: PatientFacts) -> Flag | None:
    treatments = facts.ketamine_treatments
    if Substance.KETAMINE not in facts.substances or not treatments:
        return None
    reason = (
        f"{_join([m.describe() for m in treatments])} for a person whose substance of "
        "concern is ketamine."
    )
    return _flag(KETAMINE_FOR_KETAMINE_USE, reason, treatments)


KETAMINE_FOR_KETAMINE_USE = ClinicalRule(
    id="medication.ketamine_for_ketamine_use",
    severity=Severity.HIGH,
    title="Ketamine treatment for a person who uses ketamine",
    rationale=(
        "Esketamine and ketamine can be misused, and the risk is highest for a person with a "
        "ketamine use problem. Make sure the prescriber knows, weighs the risk before going "
        "on, and watches for misuse during treatment; esketamine is given only under "
        "supervision in a certified setting."
    ),
    source=(
        "Spravato (esketamine) nasal spray, US Prescribing Information, Janssen, 2019: boxed "
        "warning on abuse and misuse; assess each patient's risk of abuse or misuse before "
        "prescribing and monitor during treatment; available only through the SPRAVATO REMS."
    ),
    check=MedicationCheck(ketamine_for_ketamine_use),
)


# --- Ketamine treatment with buprenorphine or naltrexone -------------------------------


def _in_system(medication: MedicationFacts) -> bool:
    if medication.drug_class not in {DrugClass.BUPRENORPHINE, DrugClass.NALTREXONE}:
        return False
    stopped = medication.days_since_stopped
    recently = stopped is not None and stopped <= STILL_IN_SYSTEM_DAYS
    return medication.current or (medication.long_acting and recently)


def ketamine_effect_unknown(facts: PatientFacts) -> Flag | None:
    """Only ketamine given as treatment: ketamine as a substance of concern is not it."""
    treatments = facts.ketamine_treatments
    in_system = [m for m in facts.medications if _in_system(m)]
    if not treatments or not in_system:
        return None
    found = [
        m.describe() + ("" if m.current else f", long-acting, stopped {_ago(m.days_since_stopped)}")
        for m in in_system
    ]
    reason = f"{_join([m.describe() for m in treatments])} with {_join(found)}."
    return _flag(KETAMINE_EFFECT_UNKNOWN, reason, [*treatments, *in_system])


KETAMINE_EFFECT_UNKNOWN = ClinicalRule(
    id="medication.ketamine_effect_unknown",
    severity=Severity.MODERATE,
    title="Effect of ketamine treatment unknown: review",
    rationale=(
        "Whether ketamine or esketamine treatment works while buprenorphine or naltrexone is "
        "in the system is not known: published findings disagree. Review the plan with the "
        f"prescriber. A long-acting form stopped in the last {STILL_IN_SYSTEM_DAYS} days "
        "still counts: it stays in the system for weeks."
    ),
    source=(
        "Conflicting findings: Williams NR et al., Am J Psychiatry 2018;175(12):1205-1215 "
        "(naltrexone blunted ketamine's antidepressant effect); Yoon G et al., JAMA "
        "Psychiatry 2019;76(3):337-338 (it did not)."
    ),
    check=MedicationCheck(ketamine_effect_unknown),
)


# --- Stimulants with alcohol --------------------------------------------------------


def stimulants_with_alcohol(facts: PatientFacts) -> Flag | None:
    """A current stimulant medication with alcohol; stimulants as a substance of concern
    with alcohol, for information."""
    if Substance.ALCOHOL not in facts.substances:
        return None
    medications = [m for m in facts.current if m.drug_class == DrugClass.STIMULANT]
    stimulants = [m.describe() for m in medications]
    if Substance.STIMULANTS in facts.substances:
        stimulants.append("stimulants (substance of concern)")
    if not stimulants:
        return None
    reason = f"{_join(stimulants)} with {_substance(Substance.ALCOHOL)}."
    return _flag(STIMULANTS_WITH_ALCOHOL, reason, medications)


STIMULANTS_WITH_ALCOHOL = ClinicalRule(
    id="medication.stimulants_with_alcohol",
    severity=Severity.MODERATE,
    title="Heart and circulation risk: stimulants with alcohol",
    rationale=(
        "Alcohol with a stimulant raises the strain on the heart and circulation (heart "
        "rate, blood pressure, rhythm). With cocaine the body makes cocaethylene, more toxic "
        "to the heart than either; with methylphenidate, alcohol raises the medicine's level "
        "in the blood. Review the stimulant and the patient's drinking with the prescriber."
    ),
    source=(
        "Pennings EJM, Leccese AP & de Wolff FA, Addiction 2002;97:773-783 (cocaine with "
        "alcohol, cocaethylene); McCance-Katz EF et al., Biol Psychiatry 1998;44:250-259; "
        "Patrick KS et al., Clin Pharmacol Ther 2007;81:346-353 (methylphenidate with "
        "alcohol)."
    ),
    check=MedicationCheck(stimulants_with_alcohol),
)


# --- A medicine recorded as for ketamine use disorder ---------------------------------


def no_approved_medication(facts: PatientFacts) -> Flag | None:
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


NO_APPROVED_MEDICATION = ClinicalRule(
    id="medication.no_approved_for_ketamine",
    severity=Severity.MODERATE,
    title="No medication is approved for ketamine use disorder",
    rationale=(
        "No medication is approved for ketamine use disorder, and none has controlled "
        "evidence of reducing craving. Some medicines relieve withdrawal symptoms; the "
        "evidence is limited. Record which symptom this one is for, and review it as "
        "off-label use."
    ),
    source=(
        "Roberts E, Sanderson E & Guerrini I, The pharmacological management of ketamine use "
        "disorder: a systematic review, J Addict Med 2024 (doi:10.1097/ADM.0000000000001340): "
        "12 studies, one controlled trial, all evidence of very low quality."
    ),
    check=MedicationCheck(no_approved_medication),
)


RULES: tuple[ClinicalRule, ...] = (
    DEPRESSED_BREATHING,
    KETAMINE_FOR_KETAMINE_USE,
    KETAMINE_EFFECT_UNKNOWN,
    STIMULANTS_WITH_ALCOHOL,
    NO_APPROVED_MEDICATION,
)
register(*RULES)


def _find(rule: ClinicalRule) -> FindFlag:
    assert isinstance(rule.check, MedicationCheck), rule.id
    return rule.check.find


def evaluate(facts: PatientFacts) -> list[Flag]:
    """Every flag the facts raise (for information too), the most serious first."""
    flags = [flag for rule in RULES if (flag := _find(rule)(facts)) is not None]
    return sorted(flags, key=lambda flag: -flag.level)


def raises_alert(flag: Flag) -> bool:
    """Whether the flag raises an alert (a medication is part of it) or is for information."""
    return bool(flag.related_ids)
