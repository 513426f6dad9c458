"""Each medication rule on its own: when it fires, when it does not, what it says and cites."""

from __future__ import annotations

import datetime as dt

import pytest

from waymark.alerts.models import Severity
from waymark.medications.models import DrugClass, PrescribedFor
from waymark.medications.rules import (
    DEPRESSED_BREATHING,
    KETAMINE_EFFECT_UNKNOWN,
    KETAMINE_FOR_KETAMINE_USE,
    NO_APPROVED_MEDICATION,
    RULES,
    STIMULANTS_WITH_ALCOHOL,
    MedicationCheck,
    MedicationFacts,
    PatientFacts,
    depressed_breathing,
    evaluate,
    ketamine_effect_unknown,
    ketamine_for_ketamine_use,
    no_approved_medication,
    raises_alert,
    stimulants_with_alcohol,
)
from waymark.risk import registry
from waymark.risk.models import RiskSettings
from waymark.risk.registry import Flag, Snapshot

TODAY = dt.date(2026, 11, 27)
NONE: frozenset[str] = frozenset()
KETAMINE = frozenset({"ketamine"})


def med(
    name: str,
    drug_class: str,
    *,
    id: int = 1,
    current: bool = True,
    stopped_days_ago: int | None = None,
    prescribed_for: str = "",
    detail: str = "",
    started_on: dt.date | None = None,
    stopped_on: dt.date | None = None,
    dose: str = "",
) -> MedicationFacts:
    return MedicationFacts(
        id=id,
        name=name,
        drug_class=drug_class,
        current=current,
        days_since_stopped=stopped_days_ago,
        prescribed_for=prescribed_for,
        prescribed_for_detail=detail,
        started_on=started_on,
        stopped_on=stopped_on,
        dose=dose,
    )


def stopped(
    name: str, drug_class: str, days: int, *, id: int = 1, dose: str = ""
) -> MedicationFacts:
    return med(name, drug_class, id=id, current=False, stopped_days_ago=days, dose=dose)


METHADONE = med("Methadone", DrugClass.OPIOID_AGONIST, id=7)
DIAZEPAM = med("Diazepam", DrugClass.BENZODIAZEPINE, id=8)
PREGABALIN = med("Pregabalin", DrugClass.GABAPENTINOID, id=9)
ESKETAMINE = med("Esketamine", DrugClass.ANTIDEPRESSANT, id=3)
NALTREXONE = med("Naltrexone", DrugClass.NALTREXONE, id=4)
SERTRALINE = med("Sertraline", DrugClass.ANTIDEPRESSANT, id=5)


def on_snapshot(rule: registry.ClinicalRule, facts: PatientFacts) -> Flag | None:
    """The rule as the risk reassessment runs it."""
    assert rule.check is not None
    snapshot = Snapshot(today=TODAY, tracking_since=TODAY, medications=facts)
    return rule.check(snapshot, RiskSettings())


def assert_flags(
    flag: Flag | None, rule: registry.ClinicalRule, level: Severity, ids: set[int], reason: str
) -> Flag:
    """The flag is `rule`'s, at `level`, about the medications `ids`, saying `reason`."""
    assert flag is not None
    assert (flag.rule, flag.level, flag.related_ids) == (rule, level, frozenset(ids))
    assert flag.reason == reason
    return flag


# --- The rules themselves ---------------------------------------------------------------


def test_it_registers_each_rule_once_the_same_object_with_its_check() -> None:
    assert [rule.id for rule in RULES] == [
        "medication.depressed_breathing",
        "medication.ketamine_for_ketamine_use",
        "medication.ketamine_effect_unknown",
        "medication.stimulants_with_alcohol",
        "medication.no_approved_for_ketamine",
    ]
    for rule in RULES:
        assert registry.get(rule.id) is rule  # not a copy
        assert isinstance(rule.check, MedicationCheck)
    assert [rule.severity for rule in RULES] == [
        Severity.HIGH,
        Severity.HIGH,
        Severity.MODERATE,
        Severity.MODERATE,
        Severity.MODERATE,
    ]


@pytest.mark.parametrize(
    ("rule", "cited"),
    [
        (DEPRESSED_BREATHING, "FDA Drug Safety Communications: opioids with benzodiazepines"),
        (DEPRESSED_BREATHING, "buprenorphine or methadone with benzodiazepines or other CNS"),
        (DEPRESSED_BREATHING, "gabapentin or pregabalin with opioids or other CNS depressants"),
        (DEPRESSED_BREATHING, "(19 Dec 2019)"),
        (KETAMINE_FOR_KETAMINE_USE, "Spravato (esketamine) nasal spray, US Prescribing"),
        (KETAMINE_FOR_KETAMINE_USE, "REMS"),
        (KETAMINE_EFFECT_UNKNOWN, "Williams NR et al., Am J Psychiatry 2018;175(12):1205-1215"),
        (KETAMINE_EFFECT_UNKNOWN, "Yoon G et al., JAMA Psychiatry 2019;76(3):337-338"),
        (STIMULANTS_WITH_ALCOHOL, "Pennings EJM, Leccese AP & de Wolff FA, Addiction 2002"),
        (STIMULANTS_WITH_ALCOHOL, "McCance-Katz EF et al., Biol Psychiatry 1998"),
        (NO_APPROVED_MEDICATION, "J Addict Med 2024 (doi:10.1097/ADM.0000000000001340)"),
    ],
)
def test_it_cites_published_sources(rule: registry.ClinicalRule, cited: str) -> None:
    assert cited in rule.source
    assert "brief" not in rule.source.casefold() and "DESIGN" not in rule.source
    assert len(rule.source) <= 300  # it is stored on the alert


def test_it_says_in_the_breathing_rationale_not_to_stop_opioid_treatment() -> None:
    assert "Do not stop opioid treatment" in DEPRESSED_BREATHING.rationale
    assert "gabapentin or pregabalin" in DEPRESSED_BREATHING.rationale


# --- Depressed breathing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("medication", "described"),
    [
        (METHADONE, "Methadone (opioid agonist)"),
        (med("Buprenorphine", DrugClass.BUPRENORPHINE, id=7), "Buprenorphine"),
        (med("Lorazepam", DrugClass.BENZODIAZEPINE, id=7), "Lorazepam (benzodiazepine)"),
        (med("Sodium oxybate", DrugClass.GHB, id=7), "Sodium oxybate (GHB)"),
        (med("Gabapentin", DrugClass.GABAPENTINOID, id=7), "Gabapentin (gabapentinoid)"),
        (
            med("Lyrica (pregabalin)", DrugClass.GABAPENTINOID, id=7),
            "Lyrica (pregabalin, gabapentinoid)",
        ),
    ],
)
def test_it_flags_each_breathing_depressant_with_ketamine_as_a_substance(
    medication: MedicationFacts, described: str
) -> None:
    flag = assert_flags(
        depressed_breathing(PatientFacts(KETAMINE, (medication,))),
        DEPRESSED_BREATHING,
        Severity.HIGH,
        {7},
        f"Risk of depressed breathing: {described} with ketamine (substance of concern).",
    )
    assert (flag.evidence_type, flag.evidence_id, flag.occurrence_key) == (
        "medication",
        "7",
        "medication:7",
    )


@pytest.mark.parametrize(
    ("substance", "words"),
    [
        ("opioids", "opioids (substance of concern)"),
        ("benzodiazepines", "benzodiazepines (substance of concern)"),
        ("ghb", "GHB / GBL (substance of concern)"),
        ("alcohol", "alcohol (substance of concern)"),
    ],
)
def test_it_flags_a_breathing_depressant_with_each_depressant_substance(
    substance: str, words: str
) -> None:
    flag = depressed_breathing(PatientFacts(frozenset({substance}), (PREGABALIN,)))
    assert flag is not None and flag.related_ids == frozenset({9})
    assert flag.reason == f"Risk of depressed breathing: Pregabalin (gabapentinoid) with {words}."


def test_it_flags_two_depressant_medications_together_without_any_substance() -> None:
    bup = med("Suboxone (buprenorphine/naloxone)", DrugClass.BUPRENORPHINE, id=2)
    flag = depressed_breathing(PatientFacts(frozenset({"tobacco"}), (bup, DIAZEPAM)))
    assert flag is not None and flag.related_ids == frozenset({2, 8})
    assert flag.reason == (
        "Risk of depressed breathing: Suboxone (buprenorphine/naloxone) with "
        "Diazepam (benzodiazepine)."
    )
    assert flag.occurrence_key == "medication:8", "the newest medication in the combination"


def test_stopping_one_medication_of_a_flag_is_not_a_new_occurrence() -> None:
    bup = med("Buprenorphine", DrugClass.BUPRENORPHINE, id=2)
    both = depressed_breathing(PatientFacts(frozenset({"ketamine"}), (bup, DIAZEPAM)))
    one = depressed_breathing(PatientFacts(frozenset({"ketamine"}), (DIAZEPAM,)))
    assert both is not None and one is not None
    assert both.occurrence_key == one.occurrence_key == "medication:8"


def test_it_flags_ketamine_given_as_treatment_with_a_breathing_depressant() -> None:
    flag = depressed_breathing(PatientFacts(NONE, (ESKETAMINE, DIAZEPAM)))
    assert flag is not None and flag.related_ids == frozenset({3, 8})
    assert flag.reason == (
        "Risk of depressed breathing: Diazepam (benzodiazepine) with "
        "Esketamine (given as treatment)."
    )


def test_it_names_every_part_of_the_combination() -> None:
    facts = PatientFacts(frozenset({"ketamine", "alcohol", "tobacco"}), (METHADONE, PREGABALIN))
    flag = depressed_breathing(facts)
    assert flag is not None and flag.related_ids == frozenset({7, 9})
    assert flag.reason == (
        "Risk of depressed breathing: Methadone (opioid agonist) with Pregabalin "
        "(gabapentinoid), ketamine (substance of concern) and alcohol (substance of concern)."
    )


@pytest.mark.parametrize(
    "facts",
    [
        PatientFacts(frozenset({"tobacco", "stimulants"}), (METHADONE,)),  # nothing with it
        PatientFacts(KETAMINE, (stopped("Methadone", DrugClass.OPIOID_AGONIST, 3),)),
        PatientFacts(KETAMINE, (SERTRALINE,)),
        PatientFacts(KETAMINE, (med("Clonidine", DrugClass.OTHER),)),
        PatientFacts(NONE, (ESKETAMINE, SERTRALINE)),
        PatientFacts(NONE, (stopped("Diazepam", DrugClass.BENZODIAZEPINE, 2), PREGABALIN)),
        PatientFacts(KETAMINE, (ESKETAMINE,)),  # a rule of its own
    ],
)
def test_it_does_not_flag_depressed_breathing_otherwise(facts: PatientFacts) -> None:
    assert depressed_breathing(facts) is None


def test_it_does_not_combine_a_medication_with_its_planned_replacement() -> None:
    old = med("Diazepam", DrugClass.BENZODIAZEPINE, id=1, stopped_on=TODAY + dt.timedelta(3))
    new = med("Pregabalin", DrugClass.GABAPENTINOID, id=2, started_on=TODAY + dt.timedelta(3))
    assert depressed_breathing(PatientFacts(NONE, (old, new))) is None
    overlapping = med("Pregabalin", DrugClass.GABAPENTINOID, id=2, started_on=TODAY)
    assert depressed_breathing(PatientFacts(NONE, (old, overlapping))) is not None


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (
            PatientFacts(frozenset({"ketamine", "alcohol"})),
            "Ketamine (substance of concern) with alcohol (substance of concern).",
        ),
        (
            PatientFacts(frozenset({"opioids", "benzodiazepines"})),
            "Opioids (substance of concern) with benzodiazepines (substance of concern).",
        ),
        (
            PatientFacts(frozenset({"alcohol"}), (ESKETAMINE, SERTRALINE)),
            "Esketamine (given as treatment) with alcohol (substance of concern).",
        ),
    ],
)
def test_it_shows_substance_only_breathing_risk_for_information_without_an_alert(
    facts: PatientFacts, reason: str
) -> None:
    flag = depressed_breathing(facts)
    assert flag is not None and flag.reason == f"Risk of depressed breathing: {reason}"
    assert flag.related_ids == frozenset() and not raises_alert(flag)
    assert on_snapshot(DEPRESSED_BREATHING, facts) is None


def test_it_gives_the_alerting_flag_to_the_risk_engine() -> None:
    facts = PatientFacts(KETAMINE, (METHADONE,))
    assert on_snapshot(DEPRESSED_BREATHING, facts) == depressed_breathing(facts)
    empty = Snapshot(today=TODAY, tracking_since=TODAY)
    assert DEPRESSED_BREATHING.check is not None
    assert DEPRESSED_BREATHING.check(empty, RiskSettings()) is None


# --- Ketamine treatment for a person who uses ketamine ------------------------------------


@pytest.mark.parametrize(
    ("treatment", "described"),
    [
        (ESKETAMINE, "Esketamine (given as treatment)"),
        (med("Ketamine", DrugClass.OTHER, id=3), "Ketamine (given as treatment)"),
        (
            med("Spravato (esketamine)", DrugClass.ANTIDEPRESSANT, id=3),
            "Spravato (esketamine, given as treatment)",
        ),
    ],
)
def test_it_flags_ketamine_treatment_for_a_person_whose_substance_is_ketamine(
    treatment: MedicationFacts, described: str
) -> None:
    flag = assert_flags(
        ketamine_for_ketamine_use(PatientFacts(frozenset({"ketamine", "alcohol"}), (treatment,))),
        KETAMINE_FOR_KETAMINE_USE,
        Severity.HIGH,
        {3},
        "Ketamine treatment for a person who uses ketamine: "
        f"{described} for a person whose substance of concern is ketamine.",
    )
    assert on_snapshot(KETAMINE_FOR_KETAMINE_USE, PatientFacts(KETAMINE, (treatment,))) == flag


@pytest.mark.parametrize(
    "facts",
    [
        PatientFacts(frozenset({"alcohol"}), (ESKETAMINE,)),  # ketamine is not a concern
        PatientFacts(KETAMINE, (METHADONE, SERTRALINE)),  # no ketamine treatment
        PatientFacts(KETAMINE, (stopped("Esketamine", DrugClass.ANTIDEPRESSANT, 5),)),
    ],
)
def test_it_does_not_flag_ketamine_treatment_otherwise(facts: PatientFacts) -> None:
    assert ketamine_for_ketamine_use(facts) is None


# --- Effect of ketamine treatment unknown --------------------------------------------------


@pytest.mark.parametrize(
    ("other", "described"),
    [
        (NALTREXONE, "Naltrexone"),
        (med("Buprenorphine", DrugClass.BUPRENORPHINE, id=4), "Buprenorphine"),
        (med("Vivitrol (naltrexone)", DrugClass.NALTREXONE, id=4), "Vivitrol (naltrexone)"),
    ],
)
def test_it_flags_ketamine_treatment_with_buprenorphine_or_naltrexone_for_review(
    other: MedicationFacts, described: str
) -> None:
    assert_flags(
        ketamine_effect_unknown(PatientFacts(NONE, (ESKETAMINE, other))),
        KETAMINE_EFFECT_UNKNOWN,
        Severity.MODERATE,
        {3, 4},
        "Effect of ketamine treatment unknown: review: "
        f"Esketamine (given as treatment) with {described}.",
    )


def test_it_does_not_flag_naltrexone_for_alcohol_when_ketamine_is_only_a_substance() -> None:
    naltrexone = med(
        "Naltrexone", DrugClass.NALTREXONE, prescribed_for=PrescribedFor.ALCOHOL_USE_DISORDER
    )
    facts = PatientFacts(frozenset({"ketamine", "alcohol"}), (naltrexone,))
    assert ketamine_effect_unknown(facts) is None
    assert "medication.ketamine_effect_unknown" not in [f.rule.id for f in evaluate(facts)]


@pytest.mark.parametrize(
    ("recent", "counts"),
    [
        (stopped("Vivitrol (naltrexone)", DrugClass.NALTREXONE, 30, id=4), True),
        (stopped("Vivitrol (naltrexone)", DrugClass.NALTREXONE, 31, id=4), False),
        (
            stopped("Buprenorphine", DrugClass.BUPRENORPHINE, 12, id=4, dose="monthly injection"),
            True,
        ),
        (stopped("Buvidal (buprenorphine)", DrugClass.BUPRENORPHINE, 1, id=4), True),
        (stopped("Naltrexone", DrugClass.NALTREXONE, 3, id=4, dose="50 mg tablet"), False),
        (stopped("Buprenorphine", DrugClass.BUPRENORPHINE, 2, id=4), False),
    ],
)
def test_it_keeps_a_long_acting_form_in_the_review_for_30_days_after_its_stop(
    recent: MedicationFacts, counts: bool
) -> None:
    flag = ketamine_effect_unknown(PatientFacts(NONE, (ESKETAMINE, recent)))
    assert (flag is not None) is counts
    if flag is not None:
        assert f"long-acting, stopped {recent.days_since_stopped} day" in flag.reason


def test_it_does_not_review_ketamine_treatment_alone_or_a_stopped_one() -> None:
    assert ketamine_effect_unknown(PatientFacts(KETAMINE, (ESKETAMINE, SERTRALINE))) is None
    old = stopped("Esketamine", DrugClass.ANTIDEPRESSANT, 2, id=3)
    assert ketamine_effect_unknown(PatientFacts(NONE, (old, NALTREXONE))) is None


# --- Stimulants with alcohol ------------------------------------------------------------


def test_it_flags_a_stimulant_medication_with_alcohol() -> None:
    stimulant = med("Ritalin (methylphenidate)", DrugClass.STIMULANT, id=4)
    flag = stimulants_with_alcohol(PatientFacts(frozenset({"alcohol"}), (stimulant,)))
    assert flag is not None and flag.rule is STIMULANTS_WITH_ALCOHOL
    assert (flag.level, flag.related_ids) == (Severity.MODERATE, frozenset({4}))
    assert flag.reason == (
        "Heart and circulation risk: stimulants with alcohol: "
        "Ritalin (methylphenidate, stimulant) with alcohol (substance of concern)."
    )
    assert raises_alert(flag)


def test_it_shows_stimulants_and_alcohol_as_substances_for_information_only() -> None:
    facts = PatientFacts(frozenset({"alcohol", "stimulants"}), (SERTRALINE,))
    flag = stimulants_with_alcohol(facts)
    assert flag is not None and flag.related_ids == frozenset()
    assert flag.reason.endswith(
        "Stimulants (substance of concern) with alcohol (substance of concern)."
    )
    assert on_snapshot(STIMULANTS_WITH_ALCOHOL, facts) is None


@pytest.mark.parametrize(
    "facts",
    [
        PatientFacts(KETAMINE, (med("Methylphenidate", DrugClass.STIMULANT),)),  # no alcohol
        PatientFacts(frozenset({"alcohol"})),
        PatientFacts(frozenset({"alcohol"}), (stopped("Dexamfetamine", DrugClass.STIMULANT, 4),)),
    ],
)
def test_it_does_not_flag_stimulants_with_alcohol_otherwise(facts: PatientFacts) -> None:
    assert stimulants_with_alcohol(facts) is None


# --- No approved medication for ketamine use disorder ---------------------------------------


def test_it_gives_the_context_when_a_medication_is_for_ketamine_use_disorder() -> None:
    chosen = med(
        "Mirtazapine",
        DrugClass.ANTIDEPRESSANT,
        id=5,
        prescribed_for=PrescribedFor.KETAMINE_USE_DISORDER,
    )
    described = med(
        "Gabapentin",
        DrugClass.GABAPENTINOID,
        id=6,
        prescribed_for=PrescribedFor.OTHER,
        detail="Cravings for Ketamine",
    )
    flag = no_approved_medication(PatientFacts(NONE, (chosen, described)))
    assert flag is not None and flag.rule is NO_APPROVED_MEDICATION
    assert (flag.level, flag.related_ids) == (Severity.MODERATE, frozenset({5, 6}))
    assert flag.reason == (
        "No medication is approved for ketamine use disorder: "
        "Mirtazapine and Gabapentin recorded as for ketamine use disorder."
    )
    assert "evidence is limited" in flag.rule.rationale


def test_it_gives_no_context_for_other_or_stopped_prescriptions() -> None:
    other = med("Sertraline", DrugClass.ANTIDEPRESSANT, prescribed_for=PrescribedFor.MOOD_ANXIETY)
    old = med(
        "Mirtazapine",
        DrugClass.ANTIDEPRESSANT,
        current=False,
        stopped_days_ago=2,
        prescribed_for=PrescribedFor.KETAMINE_USE_DISORDER,
    )
    assert no_approved_medication(PatientFacts(KETAMINE, (other, old))) is None


# --- All of them ----------------------------------------------------------------------


def test_it_lists_every_flag_most_serious_first() -> None:
    facts = PatientFacts(
        frozenset({"ketamine", "alcohol"}),
        (ESKETAMINE, med("Naltrexone", DrugClass.NALTREXONE, id=1), METHADONE),
    )
    assert [flag.rule.id for flag in evaluate(facts)] == [
        "medication.depressed_breathing",
        "medication.ketamine_for_ketamine_use",
        "medication.ketamine_effect_unknown",
    ]
    assert evaluate(PatientFacts(frozenset({"tobacco"}))) == []
