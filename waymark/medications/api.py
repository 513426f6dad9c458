"""/api/v1/patients/{patient_id}/medications: a thin layer over services.py.

Clinicians and organization admins read (the medications and the safety flags);
clinicians add. Another organization's patient is a 404; reads and writes are
audited. 422 names every field with a problem, with the same checks as the form.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from waymark.access import Capability, actor_for, get_patient, require
from waymark.alerts.models import Severity
from waymark.audit.models import AuditObject
from waymark.errors import ErrorOut
from waymark.medications.models import Medication
from waymark.medications.rules import raises_alert
from waymark.medications.services import (
    MedicationData,
    add_medication,
    flags_for,
    medications_for,
)
from waymark.risk.registry import Flag

router = Router(tags=["medications"])


class MedicationOut(Schema):
    id: int
    name: str
    drug_class: str
    dose: str
    started_on: dt.date | None
    stopped_on: dt.date | None
    prescribed_for: str
    prescribed_for_detail: str
    current: bool

    @staticmethod
    def resolve_current(obj: Medication) -> bool:
        return obj.is_current(obj.patient.local_today())


class FlagOut(Schema):
    rule_id: str
    severity: str
    title: str
    reason: str = Field(description="The sentence staff read; it starts with the title.")
    rationale: str
    source: str
    medication_ids: list[int] = Field(description="The medications that are part of it.")
    raises_alert: bool = Field(
        description="False: from substances of concern alone, shown for information."
    )

    @classmethod
    def of(cls, flag: Flag) -> "FlagOut":
        rule = flag.rule
        return cls(
            rule_id=rule.id,
            severity=Severity(flag.level).label.lower(),
            title=rule.title,
            reason=flag.reason,
            rationale=rule.rationale,
            source=rule.source,
            medication_ids=sorted(flag.related_ids),
            raises_alert=raises_alert(flag),
        )


class MedicationsOut(Schema):
    medications: list[MedicationOut]
    flags: list[FlagOut]


class SavedOut(Schema):
    medication: MedicationOut
    flags: list[FlagOut]
    alerts_raised: list[str] = Field(description="Rule ids of the alerts this save raised.")


class MedicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    drug_class: str = Field("", description="Empty: filled in for a name in the vocabulary.")
    dose: str = ""
    started_on: dt.date | None = None
    stopped_on: dt.date | None = None
    prescribed_for: str = Field("", description="e.g. ketamine_use_disorder; see the page.")
    prescribed_for_detail: str = ""


@router.get(
    "/patients/{patient_id}/medications",
    response=MedicationsOut,
    summary="A patient's medications and safety flags (clinicians and admins; audited)",
)
def list_patient_medications(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.VIEW_PATIENT_RECORD)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MEDICATIONS)
    medications = list(medications_for(patient).select_related("patient"))
    flags = flags_for(patient, medications)
    return {"medications": medications, "flags": [FlagOut.of(flag) for flag in flags]}


@router.post(
    "/patients/{patient_id}/medications",
    response={201: SavedOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add a medication (clinicians); raises alerts for new safety flags",
)
def create_patient_medication(
    request: HttpRequest, patient_id: uuid.UUID, payload: MedicationIn
) -> Any:
    actor = require(actor_for(request), Capability.RECORD_MEDICATIONS)
    patient = get_patient(actor, patient_id, object_type=AuditObject.MEDICATIONS)
    saved = add_medication(actor, patient, MedicationData(**payload.model_dump()))
    return Status(
        201,
        {
            "medication": saved.medication,
            "flags": [FlagOut.of(flag) for flag in saved.flags],
            "alerts_raised": [alert.rule_id for alert in saved.alerts],
        },
    )
