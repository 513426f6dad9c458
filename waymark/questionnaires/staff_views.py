"""Clinicians' and admins' pages: a patient's questionnaires, one response, completion rates.

Every read of a patient's data goes through access.get_patient, which audits it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import Capability, actor_for, can, capability_required, get_patient
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status
from waymark.questionnaires.clinician_entry import record_by_clinician
from waymark.questionnaires.fhir import LOINC_NOTICE
from waymark.questionnaires.forms import AssignForm, PageForm
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.presenting import build_series, explain, milestones
from waymark.questionnaires.reports import DEFAULT_DAYS, completion_report, patient_completion
from waymark.questionnaires.services import (
    assign_questionnaire,
    available_questionnaires,
    current_questionnaire,
    patient_occurrences,
    standing_responses,
    todo_for,
)
from waymark.questionnaires.variants import CLINICIAN_ADMINISTERED


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def patient_questionnaires(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.QUESTIONNAIRE_RESPONSES)
    every = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).select_related("questionnaire", "corrects")
    series = build_series(standing_responses(patient))
    since = patient.local_today() - dt.timedelta(days=DEFAULT_DAYS)
    return render(
        request,
        "questionnaires/staff/patient.html",
        {
            "patient": patient,
            "series": series,
            "milestones": {
                s.key: [m for p in s.paths.values() for m in milestones(p)] for s in series
            },
            "responses": every.order_by("-submitted_at"),
            "todo": todo_for(patient),
            "completion": patient_completion(patient_occurrences(patient), since=since),
            "assign_form": AssignForm(
                questionnaires=available_questionnaires(patient.organization_id)
            ),
            "can_assign": can(actor, Capability.ASSIGN_QUESTIONNAIRES),
        },
    )


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def patient_response(
    request: HttpRequest, patient_id: uuid.UUID, response_id: uuid.UUID
) -> HttpResponse:
    patient = get_patient(
        actor_for(request),
        patient_id,
        object_type=AuditObject.QUESTIONNAIRE_RESPONSE,
        object_id=str(response_id),
    )
    response = get_object_or_404(
        QuestionnaireResponse.objects.select_related("questionnaire", "corrects", "submitted_by"),
        pk=response_id,
        organization_id=patient.organization_id,
        patient=patient,
    )
    definition = response.definition
    answers = [
        (
            item,
            item.display(response.answers[item.link_id])
            if item.link_id in response.answers
            else "",
        )
        for item in definition.items
    ]
    return render(
        request,
        "questionnaires/staff/response.html",
        {
            "patient": patient,
            "response": response,
            "definition": definition,
            "answers": answers,
            "results": explain(response),
            "corrected_by": response.corrections.first(),
            "safety_items": {rule.item for rule in definition.scoring.safety},
            # Shown where LOINC codes are (the licence's notice).
            "loinc_notice": LOINC_NOTICE if any(item.code for item, _ in answers) else "",
        },
    )


@require_POST
@capability_required(Capability.ASSIGN_QUESTIONNAIRES)
def assign(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.QUESTIONNAIRE_RESPONSES)
    form = AssignForm(
        request.POST, questionnaires=available_questionnaires(patient.organization_id)
    )
    if not form.is_valid():
        messages.error(request, "Choose a questionnaire and a number of days from 1 to 30.")
    else:
        try:
            data = form.cleaned_data
            assign_questionnaire(
                actor, patient, data["questionnaire"], note=data["note"], days=data["days"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{patient.preferred_name} will see it on their list.")
    return redirect("questionnaires:patient_questionnaires", patient_id=patient.pk)


@require_GET
@capability_required(Capability.VIEW_CASELOAD)
def completion(request: HttpRequest) -> HttpResponse:
    try:
        days = min(max(int(request.GET.get("days", DEFAULT_DAYS)), 7), 365)
    except ValueError:
        days = DEFAULT_DAYS
    report = completion_report(actor_for(request), days=days)
    return render(request, "questionnaires/staff/completion.html", {"report": report, "days": days})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.ASSIGN_QUESTIONNAIRES)
def record_rating(request: HttpRequest, patient_id: uuid.UUID, key: str) -> HttpResponse:
    """A clinician records a clinician-administered rating (the CIWA-Ar) for a patient."""
    if key not in CLINICIAN_ADMINISTERED:
        raise Http404("No such rating.")
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.QUESTIONNAIRE_RESPONSES)
    questionnaire = current_questionnaire(patient.organization_id, key)
    definition = questionnaire.parsed
    page = [item.link_id for item in definition.items]
    data = request.POST if request.method == "POST" else None
    form = PageForm(definition, page, with_context=False, data=data)
    if form.is_valid():
        try:
            response = record_by_clinician(actor, patient, key, form.answers())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{definition.short_title} recorded.")
            return redirect("questionnaires:patient_response", patient.pk, response.pk)
    return render(
        request,
        "questionnaires/staff/record.html",
        {"patient": patient, "definition": definition, "form": form},
        status=form_status(form),
    )
