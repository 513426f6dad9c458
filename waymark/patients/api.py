from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from waymark.access import Actor, actor_for, get_patient, visible_patients
from waymark.audit.services import record_list
from waymark.organizations.models import Role
from waymark.patients.models import Patient
from waymark.patients.queries import with_current_program

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


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if actor.role not in {Role.CLINICIAN, Role.ADMIN}:
        raise PermissionDenied("Only clinicians and organization admins can list patients.")
    return actor


class AuditedPagination(PageNumberPagination):
    """Page through patients and audit each one that leaves the server."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request=request, **params)
        result["items"] = list(result["items"])
        record_list(actor_for(request), result["items"], object_type="patient_list")
        return result


@router.get("", response=list[PatientOut], summary="Patients I may see (clinicians and admins)")
@paginate(AuditedPagination, page_size=50)
def list_patients(request: HttpRequest) -> Any:
    actor = _staff(request)
    return with_current_program(visible_patients(actor).in_care()).order_by("preferred_name", "pk")


@router.get("/{patient_id}", response=PatientOut, summary="One patient (audited)")
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = _staff(request)
    patient = get_patient(actor, patient_id)
    return with_current_program(Patient.objects.filter(pk=patient.pk)).get()
