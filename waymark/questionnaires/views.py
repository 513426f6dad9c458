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

from waymark.access import Capability, actor_for, capability_required, own_patient_record
from waymark.errors import ServiceError, form_status
from waymark.organizations.crisis import crisis_help_for
from waymark.patients.models import Patient
from waymark.questionnaires import pages as page_logic
from waymark.questionnaires.forms import PageForm
from waymark.questionnaires.models import QuestionnaireResponse
from waymark.questionnaires.presenting import build_series, explain, offers_for, trend_sentence
from waymark.questionnaires.services import (
    can_correct,
    discard_draft,
    save_page,
    standing_responses,
    start_correction,
    submit_response,
    todo_for,
)


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def my_list(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    series = build_series(standing_responses(patient), primary_only=True)
    return render(
        request, "questionnaires/my_list.html", {"todo": todo_for(patient), "series": series}
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
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
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return redirect(page_logic.after_page(state, draft, number, request.POST))
    context = page_logic.fill_context(state, form, number)
    if state.has_safety_answer:
        context["help"] = crisis_help_for(patient, after_safety_answer=True)
    return render(request, "questionnaires/fill.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
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
        except ServiceError as error:
            errors = error.errors
        else:
            return redirect("questionnaires:result", response_id=response.pk)
    context = page_logic.review_context(state, errors)
    if state.has_safety_answer:
        context["help"] = crisis_help_for(patient, after_safety_answer=True)
    return render(request, "questionnaires/review.html", context, status=form_status(errors=errors))


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
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
@capability_required(Capability.USE_PATIENT_APP)
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
        context["help"] = crisis_help_for(patient, after_safety_answer=True)
    return render(request, "questionnaires/result.html", context)


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def correct(request: HttpRequest, response_id: uuid.UUID) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    response = _own_response(patient, response_id)
    try:
        start_correction(patient, response)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("questionnaires:result", response_id=response.pk)
    return redirect(reverse("questionnaires:fill", args=[response.questionnaire_key]))


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
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
