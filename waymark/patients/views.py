"""The clinician's caseload and patient record, and the patient's own home."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import (
    actor_for,
    get_patient,
    own_patient_record,
    role_required,
    visible_patients,
)
from waymark.audit.services import record_list
from waymark.organizations.models import Role
from waymark.patients.models import CareTeamMember, Episode, ProgramStay
from waymark.patients.queries import with_current_program

CASELOAD_PAGE_SIZE = 50


@require_GET
@role_required(Role.CLINICIAN, Role.ADMIN)
def caseload(request: HttpRequest) -> HttpResponse:
    """For now a plain list: patients in care, with program and days in recovery."""
    actor = actor_for(request)
    include_discharged = request.GET.get("show") == "all"
    scoped = visible_patients(actor)
    if not include_discharged:
        scoped = scoped.in_care()
    patients = with_current_program(scoped).order_by("preferred_name", "pk")
    page = Paginator(patients, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    record_list(actor, page.object_list, object_type="caseload")
    return render(
        request,
        "patients/caseload.html",
        {"page": page, "include_discharged": include_discharged},
    )


@require_GET
@role_required(Role.CLINICIAN, Role.ADMIN)
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = get_patient(actor_for(request), patient_id)
    episodes = Episode.objects.filter(
        patient=patient, organization=patient.organization
    ).prefetch_related(Prefetch("stays", queryset=ProgramStay.objects.select_related("program")))
    care_team = CareTeamMember.objects.filter(
        patient=patient, organization=patient.organization
    ).select_related("clinician")
    return render(
        request,
        "patients/detail.html",
        {"patient": patient, "episodes": episodes, "care_team": care_team},
    )


@require_GET
@role_required(Role.PATIENT)
def me(request: HttpRequest) -> HttpResponse:
    """The patient's home."""
    patient = own_patient_record(actor_for(request))
    current = with_current_program(visible_patients(actor_for(request))).get(pk=patient.pk)
    care_team = CareTeamMember.objects.filter(
        patient=patient, organization=patient.organization
    ).select_related("clinician")
    return render(
        request,
        "patients/me.html",
        {"patient": patient, "current": current, "care_team": care_team},
    )
