"""Adding and changing medications: validation, audit, and alerts in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from waymark.accounts.models import User
from waymark.alerts.models import Alert, Severity
from waymark.audit.models import AuditAction, AuditEvent
from waymark.conftest import TODAY
from waymark.medications import services
from waymark.medications.errors import MedicationError
from waymark.medications.models import DrugClass, Medication, PrescribedFor
from waymark.medications.services import MedicationData, add_medication, update_medication
from waymark.medications.tests.conftest import actor
from waymark.patients.models import Patient


def methadone(**changes: Any) -> MedicationData:
    values: dict[str, Any] = {
        "name": "methadone",
        "dose": "60 mg once a day",
        "started_on": TODAY - dt.timedelta(days=30),
        "prescribed_for": PrescribedFor.OPIOID_USE_DISORDER,
    }
    return MedicationData(**(values | changes))


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
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="medication", object_id=str(stored.pk)
    ).exists()
    assert saved.medication == stored


def test_it_raises_a_high_alert_for_ketamine_with_an_opioid(alice: Patient, bob: User) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    alert = Alert.objects.get(rule_id="medication.depressed_breathing")
    assert saved.alerts == [alert]
    assert (alert.severity, alert.patient, alert.evidence_type, alert.evidence_id) == (
        Severity.HIGH,
        alice,
        "medication",
        str(saved.medication.pk),
    )
    assert alert.reason.startswith("Risk of depressed breathing: Ketamine (substance of concern)")
    assert alert.source.startswith("Waymark clinical brief")


@pytest.mark.parametrize(
    ("data", "rule_id"),
    [
        (MedicationData(name="Naltrexone"), "medication.ketamine_effect_unknown"),
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


def test_it_raises_no_alert_for_flags_that_come_from_substances_alone(
    alice: Patient, bob: User
) -> None:
    saved = add_medication(actor(bob), alice, MedicationData(name="Sertraline"))
    assert [flag.rule.id for flag in saved.flags] == ["medication.depressed_breathing"]
    assert saved.alerts == [] and not Alert.objects.exists()


def test_it_saves_nothing_when_the_alert_cannot_be_raised(
    alice: Patient, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("alerts are down")

    monkeypatch.setattr(services, "raise_alert", broken)
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
    with pytest.raises(MedicationError) as refused:
        add_medication(actor(bob), alice, data)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0]
    assert not Medication.objects.exists() and not AuditEvent.objects.exists()


def test_it_lets_only_clinicians_of_the_organization_record_medications(
    alice: Patient, olivia: User, carol: User
) -> None:
    for user in (olivia, carol):
        with pytest.raises(MedicationError) as refused:
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
    assert [f.medication_ids for f in stopped.flags] == [frozenset()]  # alcohol remains
    assert stopped.alerts == []


def test_it_refuses_a_bad_update_and_keeps_the_medication(alice: Patient, bob: User) -> None:
    saved = add_medication(actor(bob), alice, methadone())
    with pytest.raises(MedicationError):
        update_medication(actor(bob), saved.medication, methadone(name=""))
    assert Medication.objects.get().name == "Methadone"
