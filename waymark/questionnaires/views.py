"""The patient's questionnaires: the to-do list, filling one in page by page, results, trends.

Filling in works without JavaScript: each page is a plain form whose answers are
kept in a server-side draft (so a reload, a lost signal or coming back tomorrow
loses nothing), then a review page sends the whole response.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import actor_for, own_patient_record, role_required
from waymark.organizations.models import Role
from waymark.patients.models import CareTeamMember, Patient
from waymark.questionnaires import pages as page_logic
from waymark.questionnaires.forms import PageForm
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.presenting import build_series, explain, offers_for, trend_sentence
from waymark.questionnaires.services import (
    QuestionnaireError,
    can_correct,
    discard_draft,
    save_page,
    standing_responses,
    start_correction,
    submit_response,
    todo_for,
)


@require_GET
@role_required(Role.PATIENT)
def my_list(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    series = build_series(standing_responses(patient), primary_only=True)
    return render(
        request, "questionnaires/my_list.html", {"todo": todo_for(patient), "series": series}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def fill(request: HttpRequest, key: str) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    state = page_logic.fillable(patient, key)
    if state is None:
        messages.info(request, "That questionnaire is not on your list right now.")
        return redirect("questionnaires:my_list")
    number = page_logic.page_number(request.GET.get("page"), len(state.pages))
    page = state.pages[number - 1]
    form = PageForm(
        state.definition,
        page,
        with_context=number == 1,
        data=request.POST if request.method == "POST" else None,
        answers=state.draft.answers if state.draft else None,
        context=state.draft.context if state.draft else state.last_context,
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = save_page(patient, state.questionnaire, page, form.answers(), form.context())
        except QuestionnaireError as error:
            form.add_service_errors(error.message_dict)
        else:
            return redirect(page_logic.after_page(state, draft, number, request.POST))
    context = page_logic.fill_context(state, form, number)
    if state.has_safety_answer:
        context |= _crisis_help(patient)
    return render(request, "questionnaires/fill.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(Role.PATIENT)
def review(request: HttpRequest, key: str) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    state = page_logic.fillable(patient, key)
    if state is None or state.draft is None:
        return redirect("questionnaires:fill", key=key)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            response = submit_response(
                patient,
                key,
                state.draft.answers,
                by=request.user,  # type: ignore[arg-type]
                context=state.draft.context,
                corrects=state.draft.corrects,
            )
        except QuestionnaireError as error:
            errors = error.message_dict
        else:
            return redirect("questionnaires:result", response_id=response.pk)
    context = page_logic.review_context(state, errors)
    if state.has_safety_answer:
        context |= _crisis_help(patient)
    return render(request, "questionnaires/review.html", context, status=400 if errors else 200)


@require_POST
@role_required(Role.PATIENT)
def discard(request: HttpRequest, key: str) -> HttpResponse:
    discard_draft(own_patient_record(actor_for(request)), key)
    messages.info(request, "Your answers were cleared. You can start again when you are ready.")
    return redirect("questionnaires:my_list")


def _own_response(patient: Patient, response_id: uuid.UUID) -> QuestionnaireResponse:
    return get_object_or_404(
        QuestionnaireResponse.objects.select_related("questionnaire", "patient"),
        pk=response_id,
        organization_id=patient.organization_id,
        patient=patient,
    )


@require_GET
@role_required(Role.PATIENT)
def result(request: HttpRequest, response_id: uuid.UUID) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    response = _own_response(patient, response_id)
    history = standing_responses(patient, response.questionnaire_key)
    earlier = [r for r in history if r.submitted_at < response.submitted_at]
    earlier = [r for r in earlier if r.scoring_form == response.scoring_form]
    primary = response.definition.form(response.scoring_form).primary_scale
    context = {
        "patient": patient,
        "response": response,
        "results": explain(response),
        "offers": offers_for(response),
        "trend": trend_sentence(earlier[-1] if earlier else None, response, primary),
        "series": build_series([r for r in history if r.scoring_form == response.scoring_form]),
        "can_correct": can_correct(response) and response in history,
        "todo": todo_for(patient),
    }
    if response.has_safety_answer:
        context |= _crisis_help(patient)
    return render(request, "questionnaires/result.html", context)


def _crisis_help(patient: Patient) -> dict[str, object]:
    organization = patient.organization
    return {
        "crisis_lines": list(organization.crisis_lines.all()),
        "emergency": organization.emergency_number,
        "care_team": list(
            CareTeamMember.objects.filter(
                organization=organization, patient=patient
            ).select_related("clinician")
        ),
    }


@require_POST
@role_required(Role.PATIENT)
def correct(request: HttpRequest, response_id: uuid.UUID) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    response = _own_response(patient, response_id)
    try:
        start_correction(patient, response)
    except QuestionnaireError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("questionnaires:result", response_id=response.pk)
    return redirect(reverse("questionnaires:fill", args=[response.questionnaire_key]))


@require_GET
@role_required(Role.PATIENT)
def history(request: HttpRequest, key: str) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    responses = standing_responses(patient, key)
    if not responses:
        raise Http404("No results for that questionnaire yet.")
    return render(
        request,
        "questionnaires/history.html",
        {"series": build_series(responses), "responses": list(reversed(responses))},
    )
