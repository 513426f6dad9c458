"""Adding and changing medications: validation, audit, and alerts in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from waymark.accounts.models import User
from waymark.alerts.models import Alert, AlertStatus, Severity
from waymark.audit.models import AuditAction, AuditEvent
from waymark.conftest import TODAY, actor
from waymark.errors import ServiceError
from waymark.medications.models import DrugClass, Medication, PrescribedFor
from waymark.medications.services import MedicationData, add_medication, update_medication
from waymark.patients.models import Patient
from waymark.risk.models import PatientRisk
from waymark.testing.audit import audited


def methadone(**changes: Any) -> MedicationData:
    values: dict[str, Any] = {
        "name": "methadone",
        "dose": "60 mg once a day",
        "started_on": TODAY - dt.timedelta(days=30),
        "prescribed_for": PrescribedFor.OPIOID_USE_DISORDER,
    }
    return MedicationData(**(values | changes))


def now_using(patient: Patient, *substances: str) -> None:
    """`patient`'s substances of concern become `substances` (the personas' are ketamine
    and alcohol)."""
    patient.substances = list(substances)
    patient.save()


def test_it_adds_a_medication_with_the_vocabularys_name_and_class_and_audits_it(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    stored = Medication.objects.get()
    assert (stored.name, stored.drug_class, stored.added_by) == (
        "Methadone",
        DrugClass.OPIOID_AGONIST,
        bob,
    )
    assert stored.organization_id == alice.organization_id
    assert audited(action=AuditAction.CREATE, object_type="medication", object_id=str(stored.pk))
    assert saved.medication == stored


def risk_reasons(patient: Patient) -> list[tuple[str, int, str]]:
    """What the caseload shows for the patient: (rule, level, reason) of each reason."""
    risk = PatientRisk.objects.get(patient=patient)
    return [(r["rule"], r["level"], r["reason"]) for r in risk.reasons]


def open_alerts(patient: Patient) -> list[tuple[str, int]]:
    return sorted(
        (alert.rule_id, alert.severity)
        for alert in Alert.objects.filter(patient=patient).exclude(status=AlertStatus.RESOLVED)
    )


def test_it_raises_a_high_alert_for_ketamine_with_an_opioid_and_puts_it_on_the_caseload(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    alert = Alert.objects.get(rule_id="medication.depressed_breathing")
    assert saved.alerts == [alert]
    assert (alert.severity, alert.patient, alert.evidence_type, alert.evidence_id) == (
        Severity.HIGH,
        alice,
        "medication",
        str(saved.medication.pk),
    )
    reason = (
        "Risk of depressed breathing: Methadone (opioid agonist) with ketamine (substance of "
        "concern) and alcohol (substance of concern)."
    )
    assert alert.reason == reason
    assert alert.source.startswith("FDA Drug Safety Communications")
    assert risk_reasons(alice) == [("medication.depressed_breathing", Severity.HIGH, reason)]
    assert PatientRisk.objects.get(patient=alice).level == Severity.HIGH


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            MedicationData(name="Lyrica", dose="75 mg twice a day"),
            "Lyrica (pregabalin, gabapentinoid) with ketamine",
        ),
        (MedicationData(name="Gabapentin"), "Gabapentin (gabapentinoid) with ketamine"),
        (MedicationData(name="Subutex"), "Subutex (buprenorphine) with ketamine"),
        (MedicationData(name="Suboxone"), "Suboxone (buprenorphine/naloxone) with ketamine"),
        (MedicationData(name="Xyrem"), "Xyrem (sodium oxybate, GHB) with ketamine"),
        (MedicationData(name="Valium"), "Valium (diazepam, benzodiazepine) with ketamine"),
    ],
)
def test_it_raises_the_breathing_alert_for_buprenorphine_gabapentinoids_and_the_rest(
    alice: Patient, bob: User, data: MedicationData, reason: str
) -> None:
    saved = add_medication(actor(bob), alice, data)
    assert [a.rule_id for a in saved.alerts] == ["medication.depressed_breathing"]
    assert saved.alerts[0].reason.startswith(f"Risk of depressed breathing: {reason}")
    assert [r[0] for r in risk_reasons(alice)] == ["medication.depressed_breathing"]


def test_it_raises_the_breathing_alert_for_two_depressant_medications_without_substances(
    alice: Patient, bob: User
) -> None:
    now_using(alice, "tobacco")
    first = add_medication(actor(bob), alice, MedicationData(name="Methadone"))
    assert first.alerts == [] and not Alert.objects.exists()
    second = add_medication(actor(bob), alice, MedicationData(name="Pregabalin"))
    assert [a.rule_id for a in second.alerts] == ["medication.depressed_breathing"]
    assert second.alerts[0].reason == (
        "Risk of depressed breathing: Methadone (opioid agonist) with Pregabalin (gabapentinoid)."
    )


@pytest.mark.parametrize("name", ["Spravato", "Esketamine", "Ketamine"])
def test_it_raises_a_high_alert_for_ketamine_treatment_of_a_person_who_uses_ketamine(
    alice: Patient, bob: User, name: str
) -> None:
    saved = add_medication(actor(bob), alice, MedicationData(name=name))
    rule = "medication.ketamine_for_ketamine_use"
    assert (rule, Severity.HIGH) in open_alerts(alice)
    assert rule in [a.rule_id for a in saved.alerts]
    assert (rule, Severity.HIGH) in [(r[0], r[1]) for r in risk_reasons(alice)]


def test_it_raises_no_ketamine_treatment_alert_for_a_person_who_does_not_use_ketamine(
    alice: Patient, bob: User
) -> None:
    now_using(alice, "alcohol")
    saved = add_medication(actor(bob), alice, MedicationData(name="Spravato"))
    assert "medication.ketamine_for_ketamine_use" not in [a.rule_id for a in saved.alerts]


def test_it_raises_no_review_alert_for_naltrexone_for_alcohol_without_ketamine_treatment(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(
        actor(bob),
        alice,
        MedicationData(name="Naltrexone", prescribed_for=PrescribedFor.ALCOHOL_USE_DISORDER),
    )
    assert saved.alerts == [] and not Alert.objects.exists()
    assert "medication.ketamine_effect_unknown" not in [f.rule.id for f in saved.flags]
    assert risk_reasons(alice) == []


def test_it_raises_the_review_alert_for_ketamine_treatment_with_naltrexone(
    alice: Patient, bob: User
) -> None:
    now_using(alice, "alcohol")
    add_medication(actor(bob), alice, MedicationData(name="Vivitrol"))
    saved = add_medication(actor(bob), alice, MedicationData(name="Spravato"))
    assert [a.rule_id for a in saved.alerts] == ["medication.ketamine_effect_unknown"]
    assert saved.alerts[0].reason == (
        "Effect of ketamine treatment unknown: review: Spravato (esketamine, given as "
        "treatment) with Vivitrol (naltrexone)."
    )
    assert open_alerts(alice) == [("medication.ketamine_effect_unknown", Severity.MODERATE)]


@pytest.mark.parametrize(
    ("data", "rule_id"),
    [
        (MedicationData(name="Adderall"), "medication.stimulants_with_alcohol"),
        (MedicationData(name="Methylphenidate"), "medication.stimulants_with_alcohol"),
        (
            MedicationData(name="Mirtazapine", prescribed_for=PrescribedFor.KETAMINE_USE_DISORDER),
            "medication.no_approved_for_ketamine",
        ),
    ],
)
def test_it_raises_a_moderate_alert_for_the_other_flags(
    alice: Patient, bob: User, data: MedicationData, rule_id: str
) -> None:
    saved = add_medication(actor(bob), alice, data)
    assert [(a.rule_id, a.severity) for a in saved.alerts] == [(rule_id, Severity.MODERATE)]
    assert [(r[0], r[1]) for r in risk_reasons(alice)] == [(rule_id, Severity.MODERATE)]


def test_it_raises_no_alert_for_flags_that_come_from_substances_alone(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(actor(bob), alice, MedicationData(name="Sertraline"))
    assert [flag.rule.id for flag in saved.flags] == ["medication.depressed_breathing"]
    assert saved.flags[0].related_ids == frozenset()
    assert saved.alerts == [] and not Alert.objects.exists()
    assert risk_reasons(alice) == []


@pytest.mark.parametrize(
    ("typed", "stored", "drug_class"),
    [
        ("Suboxone", "Suboxone (buprenorphine/naloxone)", DrugClass.BUPRENORPHINE),
        ("  sublocade ", "Sublocade (buprenorphine)", DrugClass.BUPRENORPHINE),
        ("Buvidal", "Buvidal (buprenorphine)", DrugClass.BUPRENORPHINE),
        ("VIVITROL", "Vivitrol (naltrexone)", DrugClass.NALTREXONE),
        ("Spravato", "Spravato (esketamine)", DrugClass.ANTIDEPRESSANT),
        ("Xanax", "Xanax (alprazolam)", DrugClass.BENZODIAZEPINE),
        ("Klonopin", "Klonopin (clonazepam)", DrugClass.BENZODIAZEPINE),
        ("Neurontin", "Neurontin (gabapentin)", DrugClass.GABAPENTINOID),
        ("Adderall", "Adderall (mixed amfetamine salts)", DrugClass.STIMULANT),
        ("Concerta", "Concerta (methylphenidate)", DrugClass.STIMULANT),
        ("Elvanse", "Elvanse (lisdexamfetamine)", DrugClass.STIMULANT),
        ("Methadose", "Methadose (methadone)", DrugClass.OPIOID_AGONIST),
        ("Antabuse", "Antabuse (disulfiram)", DrugClass.ALCOHOL_RELATED),
        ("Champix", "Champix (varenicline)", DrugClass.OTHER),
        ("Suboxone (Buprenorphine/Naloxone)", "Suboxone (buprenorphine/naloxone)", "buprenorphine"),
    ],
)
def test_it_accepts_brand_names_and_files_them_under_their_generics_class(
    alice: Patient, bob: User, typed: str, stored: str, drug_class: str
) -> None:
    saved = add_medication(actor(bob), alice, MedicationData(name=typed))
    assert (saved.medication.name, saved.medication.drug_class) == (stored, drug_class)


def test_it_refuses_a_brand_filed_under_another_class(alice: Patient, bob: User) -> None:
    with pytest.raises(ServiceError) as refused:
        add_medication(actor(bob), alice, MedicationData(name="Lyrica", drug_class="other"))
    assert refused.value.errors["drug_class"] == [
        "Lyrica (pregabalin) is in the class “Gabapentinoid (gabapentin, pregabalin)”: choose "
        "that, or leave the class empty to fill it in."
    ]


def test_it_saves_nothing_when_the_alert_cannot_be_raised(
    alice: Patient, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("alerts are down")

    monkeypatch.setattr("waymark.risk.services.raise_alert", broken)
    with pytest.raises(RuntimeError):
        add_medication(actor(bob), alice, methadone())
    assert not Medication.objects.exists()
    assert not AuditEvent.objects.filter(object_type="medication").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (methadone(name="   "), "name", "Give the medication's name."),
        (methadone(name="x" * 121, drug_class="other"), "name", "Keep this under 120 characters"),
        (methadone(dose="x" * 500), "dose", "Keep this under 120 characters"),
        (methadone(stopped_on=TODAY - dt.timedelta(days=31)), "stopped_on", "before the start"),
        (methadone(started_on=dt.date(1900, 1, 1)), "started_on", "before the patient's date"),
        (methadone(started_on=dt.date(2099, 1, 1)), "started_on", "more than a year ahead"),
        (methadone(stopped_on=dt.date(9999, 1, 1)), "stopped_on", "more than two years ahead"),
        (methadone(drug_class=DrugClass.OTHER), "drug_class", "Opioid agonist"),
        (MedicationData(name="Unknownol"), "drug_class", "Choose the medication's class."),
        (methadone(drug_class="sedative"), "drug_class", "Choose a class from the list."),
        (methadone(prescribed_for="fun"), "prescribed_for", "Choose from the list"),
        (methadone(prescribed_for=PrescribedFor.OTHER), "prescribed_for_detail", "Describe"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_saves_nothing(
    alice: Patient, bob: User, data: MedicationData, field: str, message: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        add_medication(actor(bob), alice, data)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0]
    assert not Medication.objects.exists() and not AuditEvent.objects.exists()


def test_it_lets_only_clinicians_of_the_organization_record_medications(
    alice: Patient, olivia: User, carol: User
) -> None:
    for user in (olivia, carol):
        with pytest.raises(ServiceError) as refused:
            add_medication(actor(user), alice, methadone())
        assert refused.value.status == 403
    assert not Medication.objects.exists()


def test_it_updates_a_medication_and_alerts_only_for_newly_flagged_ones(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(actor(bob), alice, MedicationData(name="Tapentadol", drug_class="other"))
    assert saved.alerts == []
    reclassified = update_medication(
        actor(bob),
        saved.medication,
        MedicationData(name="Tapentadol", drug_class=DrugClass.OPIOID_AGONIST),
    )
    assert [a.rule_id for a in reclassified.alerts] == ["medication.depressed_breathing"]
    new_dose = update_medication(
        actor(bob),
        saved.medication,
        MedicationData(name="Tapentadol", drug_class=DrugClass.OPIOID_AGONIST, dose="50 mg"),
    )
    assert new_dose.alerts == []
    assert Alert.objects.get().occurrences == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 2


def test_it_stops_a_medication_and_drops_its_flag(alice: Patient, bob: User) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    stopped = update_medication(
        actor(bob), saved.medication, methadone(stopped_on=TODAY - dt.timedelta(days=1))
    )
    assert Medication.objects.get().stopped_on == TODAY - dt.timedelta(days=1)
    assert [f.related_ids for f in stopped.flags] == [frozenset()]  # ketamine with alcohol
    assert risk_reasons(alice) == []
    assert stopped.alerts == []


def test_it_refuses_a_bad_update_and_keeps_the_medication(alice: Patient, bob: User) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    with pytest.raises(ServiceError):
        update_medication(actor(bob), saved.medication, methadone(name=""))
    assert Medication.objects.get().name == "Methadone"
