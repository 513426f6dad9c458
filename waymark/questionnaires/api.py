"""Questionnaires in the JSON API: definitions, the patient's list, submitting, FHIR export.

A thin layer over services.py; the router is mounted at the API root, so each path
says what it is. Clinicians' reads go through access.get_patient (audited; the FHIR
export is audited as an EXPORT).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from waymark.access import Capability, actor_for, get_patient, own_patient_record, require
from waymark.audit.models import AuditAction, AuditObject
from waymark.errors import ServiceError
from waymark.organizations.crisis import CrisisHelp, crisis_help_for
from waymark.organizations.models import Organization
from waymark.organizations.schemas import CrisisHelpOut
from waymark.patients.models import Patient
from waymark.questionnaires.fhir import patient_bundle, rebase
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.services import (
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
    crisis_help: CrisisHelpOut | None = Field(
        None, description="Crisis help to show at once: set when a safety answer was given."
    )


class MyQuestionnairesOut(Schema):
    open: list[OccurrenceOut]
    upcoming: list[OccurrenceOut]
    latest: list[ResponseOut]


class ResponseIn(Schema):
    answers: dict[str, int | str] = Field(description="Answer per question linkId.")
    context: dict[str, str] = Field(default_factory=dict, description="E.g. {'sex': 'female'}.")
    corrects: uuid.UUID | None = Field(None, description="The earlier response this corrects.")


def _crisis_help(
    subject: Patient | Organization, responses: Iterable[QuestionnaireResponse]
) -> CrisisHelp | None:
    """Built once for a list, when one of its responses has a safety answer: the patient's
    own crisis help for the patient; their organization's lines for the care team."""
    if not any(response.has_safety_answer for response in responses):
        return None
    return crisis_help_for(subject, after_safety_answer=isinstance(subject, Patient))


def _response_out(
    response: QuestionnaireResponse, crisis_help: CrisisHelp | None
) -> dict[str, Any]:
    return {
        "id": response.pk,
        "questionnaire": response.questionnaire_key,
        "version": response.questionnaire.version,
        "submitted_at": response.submitted_at,
        "scoring_form": response.scoring_form,
        "scores": response.scores,
        "corrects": response.corrects_id,
        "crisis_help": crisis_help if response.has_safety_answer else None,
    }


@router.get(
    "/questionnaires",
    response=list[QuestionnaireOut],
    url_name="questionnaire_list",
    summary="Questionnaires available in my organization",
)
def questionnaire_list(request: HttpRequest) -> Any:
    actor = require(actor_for(request), Capability.READ_QUESTIONNAIRES)
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
    actor = require(actor_for(request), Capability.READ_QUESTIONNAIRES)
    assert actor.organization is not None
    try:
        questionnaire = current_questionnaire(actor.organization.pk, key)
    except ServiceError:
        raise Http404("No such questionnaire.") from None
    resource = rebase(questionnaire.parsed.resource)  # canonical URLs at the configured base
    return HttpResponse(json.dumps(resource), content_type=FHIR_JSON)


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
    patient = own_patient_record(actor_for(request))
    todo = todo_for(patient)
    latest: dict[str, QuestionnaireResponse] = {}
    for response in standing_responses(patient):
        latest[response.questionnaire_key] = response
    crisis_help = _crisis_help(patient, latest.values())
    return {
        "open": _occurrences(todo.open),
        "upcoming": _occurrences(todo.upcoming),
        "latest": [_response_out(response, crisis_help) for response in latest.values()],
    }


@router.post(
    "/me/questionnaires/{key}/responses",
    response={201: ResponseOut},
    url_name="submit_questionnaire_response",
    summary="Send a completed questionnaire (422 names each bad answer)",
)
def submit(request: HttpRequest, key: str, payload: ResponseIn) -> Any:
    actor = actor_for(request)
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
    return Status(201, _response_out(response, _crisis_help(patient, [response])))


@router.get(
    "/me/fhir",
    url_name="my_fhir",
    summary="My questionnaire responses and scores as a FHIR R4 Bundle",
)
def my_fhir(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    return HttpResponse(json.dumps(patient_bundle(patient)), content_type=FHIR_JSON)


@router.get(
    "/patients/{patient_id}/fhir",
    url_name="patient_fhir",
    summary="A patient's questionnaire responses and scores as FHIR R4 (audited)",
)
def patient_fhir(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = get_patient(
        require(actor_for(request), Capability.VIEW_PATIENT_RECORD),
        patient_id,
        action=AuditAction.EXPORT,
        object_type=AuditObject.QUESTIONNAIRE_EXPORT,
    )
    return HttpResponse(json.dumps(patient_bundle(patient)), content_type=FHIR_JSON)


@router.get(
    "/patients/{patient_id}/questionnaire-responses",
    response=list[ResponseOut],
    url_name="patient_questionnaire_responses",
    summary="A patient's questionnaire responses with scores (audited)",
)
def patient_responses(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.VIEW_PATIENT_RECORD)
    patient = get_patient(actor, patient_id, object_type=AuditObject.QUESTIONNAIRE_RESPONSES)
    responses = QuestionnaireResponse.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).select_related("questionnaire", "patient__organization")
    listed = list(responses.order_by("-submitted_at"))
    crisis_help = _crisis_help(patient.organization, listed)
    return [_response_out(response, crisis_help) for response in listed]
