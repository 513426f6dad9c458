"""Questionnaires in the JSON API: definitions, the patient's list, submitting, FHIR export.

A thin layer over services.py; the router is mounted at the API root, so each path
says what it is. Clinicians' reads go through access.get_patient (audited; the FHIR
export is audited as an EXPORT).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from waymark.access import Actor, actor_for, get_patient, own_patient_record
from waymark.audit.models import AuditAction
from waymark.organizations.models import Role
from waymark.questionnaires.fhir import patient_bundle
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import (
    QuestionnaireError,
    available_questionnaires,
    current_questionnaire,
    standing_responses,
    submit_response,
    todo_for,
)

router = Router(tags=["questionnaires"])
FHIR_JSON = "application/fhir+json"


class QuestionnaireOut(Schema):
    key: str
    version: str
    title: str
    short_title: str
    own_to_organization: bool
    scoring_forms: list[str]


class OccurrenceOut(Schema):
    questionnaire: str
    title: str
    status: str
    due_on: dt.date
    overdue_from: dt.date
    closes_on: dt.date
    why: str


class ResponseOut(Schema):
    id: uuid.UUID
    questionnaire: str
    version: str
    submitted_at: dt.datetime
    scoring_form: str
    scores: dict[str, Any]
    corrects: uuid.UUID | None = None
    crisis_help: dict[str, Any] | None = Field(
        None, description="Help lines to show at once: set when a safety answer was given."
    )


class MyQuestionnairesOut(Schema):
    open: list[OccurrenceOut]
    upcoming: list[OccurrenceOut]
    latest: list[ResponseOut]


class ResponseIn(Schema):
    answers: dict[str, int | str] = Field(description="Answer per question linkId.")
    context: dict[str, str] = Field(default_factory=dict, description="E.g. {'sex': 'female'}.")
    corrects: uuid.UUID | None = Field(None, description="The earlier response this corrects.")


def _member(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if actor.role not in {Role.PATIENT, Role.CLINICIAN, Role.ADMIN}:
        raise PermissionDenied("Questionnaires are for patients and their care teams.")
    return actor


def _patient_actor(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if actor.role != Role.PATIENT:
        raise PermissionDenied("This is for patients.")
    return actor


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if actor.role not in {Role.CLINICIAN, Role.ADMIN}:
        raise PermissionDenied("Only clinicians and organization admins can see this.")
    return actor


def _response_out(response: QuestionnaireResponse) -> dict[str, Any]:
    help_lines = None
    if response.has_safety_answer:
        organization = response.patient.organization
        help_lines = {
            "emergency_number": organization.emergency_number,
            "crisis_lines": [
                {"name": line.name, "phone": line.phone, "text": line.text_number}
                for line in organization.crisis_lines.all()
            ],
        }
    return {
        "id": response.pk,
        "questionnaire": response.questionnaire_key,
        "version": response.questionnaire.version,
        "submitted_at": response.submitted_at,
        "scoring_form": response.scoring_form,
        "scores": response.scores,
        "corrects": response.corrects_id,
        "crisis_help": help_lines,
    }


@router.get(
    "/questionnaires",
    response=list[QuestionnaireOut],
    url_name="questionnaire_list",
    summary="Questionnaires available in my organization",
)
def questionnaire_list(request: HttpRequest) -> Any:
    actor = _member(request)
    assert actor.organization is not None
    return [
        {
            "key": q.key,
            "version": q.version,
            "title": q.title,
            "short_title": q.short_title,
            "own_to_organization": q.organization_id is not None,
            "scoring_forms": q.parsed.form_ids,
        }
        for q in available_questionnaires(actor.organization.pk)
    ]


@router.get(
    "/questionnaires/{key}",
    url_name="questionnaire_detail",
    summary="One questionnaire as a FHIR R4 Questionnaire resource",
)
def questionnaire_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = _member(request)
    assert actor.organization is not None
    try:
        questionnaire = current_questionnaire(actor.organization.pk, key)
    except QuestionnaireError:
        raise Http404("No such questionnaire.") from None
    return HttpResponse(json.dumps(questionnaire.parsed.resource), content_type=FHIR_JSON)


def _occurrences(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "questionnaire": row.key,
            "title": row.questionnaire.short_title,
            "status": str(row.occurrence.status),
            "due_on": row.occurrence.due_on,
            "overdue_from": row.occurrence.overdue_from,
            "closes_on": row.occurrence.closes_on,
            "why": row.occurrence.why,
        }
        for row in rows
    ]


@router.get(
    "/me/questionnaires",
    response=MyQuestionnairesOut,
    url_name="my_questionnaires",
    summary="My questionnaire to-do list and latest results",
)
def my_questionnaires(request: HttpRequest) -> Any:
    patient = own_patient_record(_patient_actor(request))
    todo = todo_for(patient)
    latest: dict[str, QuestionnaireResponse] = {}
    for response in standing_responses(patient):
        latest[response.questionnaire_key] = response
    return {
        "open": _occurrences(todo.open),
        "upcoming": _occurrences(todo.upcoming),
        "latest": [_response_out(response) for response in latest.values()],
    }


@router.post(
    "/me/questionnaires/{key}/responses",
    response={201: ResponseOut},
    url_name="submit_questionnaire_response",
    summary="Send a completed questionnaire (422 names each bad answer)",
)
def submit(request: HttpRequest, key: str, payload: ResponseIn) -> Any:
    actor = _patient_actor(request)
    patient = own_patient_record(actor)
    corrects = None
    if payload.corrects is not None:
        corrects = get_object_or_404(
            QuestionnaireResponse,
            pk=payload.corrects,
            organization_id=patient.organization_id,
            patient=patient,
        )
    response = submit_response(
        patient, key, payload.answers, by=actor.user, context=payload.context, corrects=corrects
    )
    return Status(201, _response_out(response))


@router.get(
    "/me/fhir",
    url_name="my_fhir",
    summary="My questionnaire responses and scores as a FHIR R4 Bundle",
)
def my_fhir(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(_patient_actor(request))
    return HttpResponse(json.dumps(patient_bundle(patient)), content_type=FHIR_JSON)


@router.get(
    "/patients/{patient_id}/fhir",
    url_name="patient_fhir",
    summary="A patient's questionnaire responses and scores as FHIR R4 (audited)",
)
def patient_fhir(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = get_patient(
        _staff(request), patient_id, action=AuditAction.EXPORT, object_type="questionnaire_fhir"
    )
    return HttpResponse(json.dumps(patient_bundle(patient)), content_type=FHIR_JSON)


@router.get(
    "/patients/{patient_id}/questionnaire-responses",
    response=list[ResponseOut],
    url_name="patient_questionnaire_responses",
    summary="A patient's questionnaire responses with scores (audited)",
)
def patient_responses(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    patient = get_patient(_staff(request), patient_id, object_type="questionnaire_responses")
    responses = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).select_related("questionnaire", "patient__organization")
    return [_response_out(response) for response in responses.order_by("-submitted_at")]
