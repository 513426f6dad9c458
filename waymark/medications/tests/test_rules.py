"""Each safety rule on its own: when it fires, when it does not, and what it cites."""

from __future__ import annotations

import pytest

from waymark.alerts.models import Severity
from waymark.medications.models import DrugClass, PrescribedFor
from waymark.medications.rules import (
    DEPRESSED_BREATHING,
    KETAMINE_EFFECT_UNKNOWN,
    NO_APPROVED_MEDICATION,
    RULES,
    STIMULANTS_WITH_ALCOHOL,
    MedicationFacts,
    PatientFacts,
    depressed_breathing,
    evaluate,
    ketamine_effect_unknown,
    no_approved_medication,
    stimulants_with_alcohol,
)

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
) -> MedicationFacts:
    return MedicationFacts(
        id=id,
        name=name,
        drug_class=drug_class,
        current=current,
        days_since_stopped=stopped_days_ago,
        prescribed_for=prescribed_for,
        prescribed_for_detail=detail,
    )


METHADONE = med("Methadone", DrugClass.OPIOID_AGONIST, id=7)


def test_it_gives_every_rule_an_id_a_rationale_and_a_source() -> None:
    ids = [rule.id for rule, _ in RULES]
    assert ids == [
        "medication.depressed_breathing",
        "medication.ketamine_effect_unknown",
        "medication.stimulants_with_alcohol",
        "medication.no_approved_for_ketamine",
    ]
    for rule, _ in RULES:
        assert rule.rationale and rule.title
        assert rule.source.startswith("Waymark clinical brief (shared/DESIGN.md")
        assert len(rule.source) <= 300  # it is stored on the alert


def test_it_cites_the_conflicting_studies_for_the_review_rule() -> None:
    assert "Williams NR et al., Am J Psychiatry 2018" in KETAMINE_EFFECT_UNKNOWN.source
    assert "Yoon G et al., JAMA Psychiatry 2019" in KETAMINE_EFFECT_UNKNOWN.source


@pytest.mark.parametrize(
    "other",
    [
        METHADONE,
        med("Lorazepam", DrugClass.BENZODIAZEPINE, id=7),
        med("Sodium oxybate", DrugClass.GHB, id=7),
    ],
)
def test_it_flags_depressed_breathing_for_ketamine_with_a_sedating_medication(
    other: MedicationFacts,
) -> None:
    flag = depressed_breathing(PatientFacts(KETAMINE, (other,)))
    assert flag is not None
    assert (flag.rule, flag.rule.severity, flag.medication_ids) == (
        DEPRESSED_BREATHING,
        Severity.HIGH,
        frozenset({7}),
    )
    assert flag.reason.startswith("Ketamine (substance of concern) with " + other.name)


def test_it_flags_depressed_breathing_for_ketamine_with_alcohol_as_a_substance() -> None:
    flag = depressed_breathing(PatientFacts(frozenset({"ketamine", "alcohol"})))
    assert flag is not None and flag.medication_ids == frozenset()
    assert flag.reason == "Ketamine (substance of concern) with alcohol (substance of concern)."


def test_it_counts_ketamine_given_as_a_medication() -> None:
    facts = PatientFacts(
        frozenset(),
        (
            med("Esketamine", DrugClass.ANTIDEPRESSANT, id=1),
            med("Diazepam", DrugClass.BENZODIAZEPINE, id=2),
        ),
    )
    flag = depressed_breathing(facts)
    assert flag is not None and flag.medication_ids == frozenset({2})


@pytest.mark.parametrize(
    "facts",
    [
        PatientFacts(frozenset({"alcohol"}), (METHADONE,)),  # no ketamine
        PatientFacts(
            KETAMINE,
            (med("Methadone", DrugClass.OPIOID_AGONIST, current=False, stopped_days_ago=3),),
        ),  # stopped
        PatientFacts(KETAMINE, (med("Sertraline", DrugClass.ANTIDEPRESSANT),)),
        PatientFacts(KETAMINE, (med("Buprenorphine", DrugClass.BUPRENORPHINE),)),
    ],
)
def test_it_does_not_flag_depressed_breathing_otherwise(facts: PatientFacts) -> None:
    assert depressed_breathing(facts) is None


@pytest.mark.parametrize("drug_class", [DrugClass.BUPRENORPHINE, DrugClass.NALTREXONE])
def test_it_flags_ketamine_with_buprenorphine_or_naltrexone_for_review(drug_class: str) -> None:
    flag = ketamine_effect_unknown(PatientFacts(KETAMINE, (med("X", drug_class, id=3),)))
    assert flag is not None
    assert (flag.rule.id, flag.rule.severity, flag.medication_ids) == (
        "medication.ketamine_effect_unknown",
        Severity.MODERATE,
        frozenset({3}),
    )


def test_it_keeps_a_recent_stop_in_the_review_for_30_days() -> None:
    def stopped(days: int) -> PatientFacts:
        return PatientFacts(
            KETAMINE,
            (med("Naltrexone", DrugClass.NALTREXONE, current=False, stopped_days_ago=days),),
        )

    recent = ketamine_effect_unknown(stopped(30))
    assert recent is not None and "stopped recently" in recent.reason
    assert ketamine_effect_unknown(stopped(31)) is None


def test_it_does_not_flag_naltrexone_without_ketamine() -> None:
    facts = PatientFacts(frozenset({"alcohol"}), (med("Naltrexone", DrugClass.NALTREXONE),))
    assert ketamine_effect_unknown(facts) is None


def test_it_flags_stimulants_with_alcohol() -> None:
    stimulant = med("Methylphenidate", DrugClass.STIMULANT, id=4)
    as_medication = stimulants_with_alcohol(PatientFacts(frozenset({"alcohol"}), (stimulant,)))
    as_substance = stimulants_with_alcohol(PatientFacts(frozenset({"alcohol", "stimulants"})))
    assert as_medication is not None and as_medication.medication_ids == frozenset({4})
    assert as_medication.rule is STIMULANTS_WITH_ALCOHOL
    assert (
        as_medication.reason == "Methylphenidate (stimulant) with alcohol (substance of concern)."
    )
    assert as_substance is not None and as_substance.medication_ids == frozenset()
    assert stimulants_with_alcohol(PatientFacts(frozenset({"ketamine"}), (stimulant,))) is None
    assert stimulants_with_alcohol(PatientFacts(frozenset({"alcohol"}))) is None


def test_it_gives_the_context_when_a_medication_is_for_ketamine_use_disorder() -> None:
    chosen = med(
        "Mirtazapine",
        DrugClass.ANTIDEPRESSANT,
        id=5,
        prescribed_for=PrescribedFor.KETAMINE_USE_DISORDER,
    )
    described = med(
        "Gabapentin",
        DrugClass.OTHER,
        id=6,
        prescribed_for=PrescribedFor.OTHER,
        detail="Cravings for Ketamine",
    )
    flag = no_approved_medication(PatientFacts(frozenset(), (chosen, described)))
    assert flag is not None and flag.rule is NO_APPROVED_MEDICATION
    assert flag.medication_ids == frozenset({5, 6})
    assert "No medication is approved for ketamine use disorder" in flag.rule.rationale
    assert "withdrawal symptoms and cravings" in flag.rule.rationale


def test_it_gives_no_context_for_other_or_stopped_prescriptions() -> None:
    other = med("Sertraline", DrugClass.ANTIDEPRESSANT, prescribed_for=PrescribedFor.MOOD_ANXIETY)
    stopped = med(
        "Mirtazapine",
        DrugClass.ANTIDEPRESSANT,
        current=False,
        stopped_days_ago=2,
        prescribed_for=PrescribedFor.KETAMINE_USE_DISORDER,
    )
    assert no_approved_medication(PatientFacts(KETAMINE, (other, stopped))) is None


def test_it_lists_every_flag_most_serious_first() -> None:
    facts = PatientFacts(
        frozenset({"ketamine", "alcohol"}),
        (med("Naltrexone", DrugClass.NALTREXONE, id=1), METHADONE),
    )
    assert [flag.rule.id for flag in evaluate(facts)] == [
        "medication.depressed_breathing",
        "medication.ketamine_effect_unknown",
    ]
    assert evaluate(PatientFacts(frozenset({"tobacco"}))) == []
