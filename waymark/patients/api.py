from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from waymark.access import (
    Capability,
    actor_for,
    audit_shown,
    get_patient,
    require,
    visible_patients,
)
from waymark.audit.models import AuditObject
from waymark.pager import Pagination
from waymark.patients.models import Patient
from waymark.patients.queries import with_current_program, without_closed_accounts

router = Router(tags=["patients"])


class PatientOut(Schema):
    id: uuid.UUID
    preferred_name: str
    date_of_birth: dt.date
    timezone: str
    substances: list[str]
    recovery_start_date: dt.date | None
    days_in_recovery: int | None
    current_program: str | None = None

    @staticmethod
    def resolve_days_in_recovery(obj: Patient) -> int | None:
        return obj.days_in_recovery()


class AuditedPagination(Pagination):
    """Page through patients and audit each one that leaves the server."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request=request, **params)
        result["items"] = list(result["items"])
        audit_shown(actor_for(request), result["items"], object_type=AuditObject.PATIENT_LIST)
        return result


@router.get("", response=list[PatientOut], summary="Patients I may see (clinicians and admins)")
@paginate(AuditedPagination)
def list_patients(request: HttpRequest) -> Any:
    actor = require(actor_for(request), Capability.VIEW_CASELOAD)
    patients = without_closed_accounts(visible_patients(actor).in_care())
    return with_current_program(patients).order_by("preferred_name", "pk")


@router.get("/{patient_id}", response=PatientOut, summary="One patient (audited)")
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.VIEW_PATIENT_RECORD)
    patient = get_patient(actor, patient_id)
    return with_current_program(Patient.objects.filter(pk=patient.pk)).get()
