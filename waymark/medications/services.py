"""Workflows for a patient's medications: validate, add, change; the safety flags.

Adding or changing a medication runs in one transaction with its audit entry and
with the patient's reassessment (`risk.services.reassess`), the one path that raises
alerts: each medication rule whose flag a current or planned medication is part of
raises (or adds an occurrence to) its alert and is a reason on the caseload. Flags
that come only from substances of concern (say ketamine with alcohol) are shown with
the medications, for information, and raise no alert: no medication causes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from waymark.access import Capability, one_of, require
from waymark.alerts.models import Alert, AlertStatus
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import ServiceError
from waymark.medications.models import (
    DETAIL_MAX_LENGTH,
    DOSE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    DrugClass,
    Medication,
    PrescribedFor,
)
from waymark.medications.rules import MedicationFacts, PatientFacts, evaluate
from waymark.medications.vocabulary import known_medication
from waymark.patients.models import Patient
from waymark.risk.registry import Flag

if TYPE_CHECKING:
    from waymark.access import Actor

MEDICATION = AuditObject.MEDICATION
# Beyond these, a date is a typing mistake rather than a plan.
START_AHEAD = dt.timedelta(days=366)
STOP_AHEAD = dt.timedelta(days=2 * 366)


@dataclass(frozen=True)
class MedicationData:
    name: str
    drug_class: str = ""
    dose: str = ""
    started_on: dt.date | None = None
    stopped_on: dt.date | None = None
    prescribed_for: str = ""
    prescribed_for_detail: str = ""


@dataclass(frozen=True)
class Saved:
    medication: Medication
    flags: list[Flag]
    alerts: list[Alert]


def medications_for(patient: Patient) -> QuerySet[Medication]:
    """Current ones first (by name), then stopped ones, most recently stopped first."""
    return Medication.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).order_by(F("stopped_on").desc(nulls_first=True), "name", "id")


def medication_for(patient: Patient, medication_id: int) -> Medication:
    medication = one_of(medications_for(patient), medication_id, "No such medication.")
    medication.patient = patient
    return medication


def facts_for(patient: Patient, medications: Iterable[Medication]) -> PatientFacts:
    today = patient.local_today()
    return PatientFacts(
        substances=frozenset(patient.substances),
        medications=tuple(
            MedicationFacts(
                id=m.pk,
                name=m.name,
                drug_class=m.drug_class,
                current=m.is_current(today),
                days_since_stopped=m.days_since_stopped(today),
                prescribed_for=m.prescribed_for,
                prescribed_for_detail=m.prescribed_for_detail,
                started_on=m.started_on,
                stopped_on=m.stopped_on,
                dose=m.dose,
            )
            for m in medications
        ),
    )


def flags_for(patient: Patient, medications: Iterable[Medication] | None = None) -> list[Flag]:
    """The safety flags for the patient now (pass `medications` if already loaded)."""
    loaded = medications_for(patient) if medications is None else medications
    return evaluate(facts_for(patient, loaded))


def _limit(errors: dict[str, list[str]], field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.setdefault(field, []).append(
            f"Keep this under {limit} characters (it has {len(value):,})."
        )


def _resolve_class(name: str, drug_class: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    """The vocabulary's spelling and class for a known name; the class chosen otherwise."""
    if drug_class and drug_class not in DrugClass.values:
        errors.setdefault("drug_class", []).append("Choose a class from the list.")
        return name, drug_class
    known = known_medication(name)
    if known is None:
        if not drug_class and name:
            errors.setdefault("drug_class", []).append("Choose the medication's class.")
        return name, drug_class
    spelling, vocabulary_class = known
    if drug_class and drug_class != vocabulary_class:
        errors.setdefault("drug_class", []).append(
            f"{spelling} is in the class “{vocabulary_class.label}”: choose that, or leave the "
            "class empty to fill it in."
        )
    return spelling, vocabulary_class


def _check_dates(patient: Patient, data: MedicationData, errors: dict[str, list[str]]) -> None:
    today = patient.local_today()
    start, stop = data.started_on, data.stopped_on
    if start and start < patient.date_of_birth:
        errors.setdefault("started_on", []).append(
            "The start date is before the patient's date of birth."
        )
    if start and start > today + START_AHEAD:
        errors.setdefault("started_on", []).append(
            "The start date is more than a year ahead: check the year."
        )
    if start and stop and stop < start:
        errors.setdefault("stopped_on", []).append("The stop date cannot be before the start date.")
    if stop and stop > today + STOP_AHEAD:
        errors.setdefault("stopped_on", []).append(
            "The stop date is more than two years ahead: leave it empty if no stop is planned."
        )


def validate(patient: Patient, data: MedicationData) -> MedicationData:
    """`data` tidied up (names spelt as the vocabulary, spaces trimmed), or every problem."""
    errors: dict[str, list[str]] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = ["Give the medication's name."]
    _limit(errors, "name", name, NAME_MAX_LENGTH)
    name, drug_class = _resolve_class(name, data.drug_class, errors)
    dose, detail = data.dose.strip(), data.prescribed_for_detail.strip()
    _limit(errors, "dose", dose, DOSE_MAX_LENGTH)
    _limit(errors, "prescribed_for_detail", detail, DETAIL_MAX_LENGTH)
    if data.prescribed_for and data.prescribed_for not in PrescribedFor.values:
        errors["prescribed_for"] = ["Choose from the list, or “Something else” and describe it."]
    if data.prescribed_for == PrescribedFor.OTHER and not detail:
        errors["prescribed_for_detail"] = ["Describe what it is prescribed for."]
    _check_dates(patient, data, errors)
    if errors:
        raise ServiceError(errors=errors)
    return replace(data, name=name, drug_class=drug_class, dose=dose, prescribed_for_detail=detail)


def _store(medication: Medication, data: MedicationData) -> None:
    for field in MedicationData.__dataclass_fields__:
        setattr(medication, field, getattr(data, field))
    try:
        medication.full_clean()
    except ValidationError as error:
        raise ServiceError.from_validation_error(error) from None
    medication.save()


def _alert_new_flags(patient: Patient, medication: Medication, before: set[str]) -> Saved:
    """Reassess the patient (the one path that raises alerts); report this medication's news.

    A flag that the saved medication is part of, and was not before, is a new occurrence
    of its rule: reassessment raises (or adds to) its alert in this transaction.
    """
    from waymark.risk.services import reassess

    flags = flags_for(patient)
    reassess(patient)
    new_rules = {
        flag.rule.id
        for flag in flags
        if medication.pk in flag.related_ids and flag.rule.id not in before
    }
    alerts = list(
        Alert.objects.filter(
            organization_id=patient.organization_id, patient=patient, rule_id__in=new_rules
        ).exclude(status=AlertStatus.RESOLVED)
    )
    return Saved(medication=medication, flags=flags, alerts=alerts)


def add_medication(actor: Actor, patient: Patient, data: MedicationData) -> Saved:
    require(actor, Capability.RECORD_MEDICATIONS, patient=patient)
    data = validate(patient, data)
    with transaction.atomic():
        medication = Medication(
            organization_id=patient.organization_id, patient=patient, added_by=actor.user
        )
        _store(medication, data)
        record(
            actor,
            AuditAction.CREATE,
            patient=patient,
            object_type=MEDICATION,
            object_id=str(medication.pk),
        )
        return _alert_new_flags(patient, medication, before=set())


def update_medication(actor: Actor, medication: Medication, data: MedicationData) -> Saved:
    """Change a medication (a new dose, a stop date, a corrected class)."""
    patient = medication.patient
    require(actor, Capability.RECORD_MEDICATIONS, patient=patient)
    data = validate(patient, data)
    with transaction.atomic():
        locked = Medication.objects.select_for_update().get(pk=medication.pk)
        locked.patient = patient
        before = {flag.rule.id for flag in flags_for(patient) if locked.pk in flag.related_ids}
        _store(locked, data)
        record(
            actor,
            AuditAction.UPDATE,
            patient=patient,
            object_type=MEDICATION,
            object_id=str(locked.pk),
        )
        return _alert_new_flags(patient, locked, before=before)
