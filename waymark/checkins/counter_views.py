"""The patient's own counters: start one, correct its start date or amount, stop one.
Plain forms, then back to the recovery page (tracking.py does the work)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from waymark.access import Capability, actor_for, capability_required, own_patient_record
from waymark.checkins.forms import CounterForm
from waymark.checkins.sobriety import Counter, counters_for, currency_symbol
from waymark.checkins.tracking import save_counter, stop_tracking, untracked_substances
from waymark.errors import ServiceError, form_status
from waymark.patients.models import Patient
from waymark.risk.rules import substance_name


def _counter(patient: Patient, substance: str, *, stopped_too: bool = False) -> Counter:
    """The patient's counter for `substance`, or 404 (none, or stopped unless asked for)."""
    every = counters_for(patient, patient.local_today(), only_tracked=not stopped_too)
    found = [counter for counter in every if counter.substance == substance]
    if not found:
        raise Http404("No counter for that substance.")
    return found[0]


def _save(request: HttpRequest, patient: Patient, form: CounterForm, substance: str) -> bool:
    try:
        save_counter(
            patient,
            substance,
            started_on=form.cleaned_data["started_on"],
            amount_per_day=form.cleaned_data["amount_per_day"],
        )
    except ServiceError as error:
        form.add_service_error(error)
        return False
    messages.success(request, f"Your {substance_name(substance)} counter is saved.")
    return True


def _back(substance: str) -> HttpResponse:
    return redirect(reverse("checkins:recovery") + f"#counter-{substance}")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def add_counter(request: HttpRequest) -> HttpResponse:
    """Start counting days without a substance, from a day the patient chooses."""
    patient = own_patient_record(actor_for(request))
    choices = untracked_substances(patient)
    data = request.POST if request.method == "POST" else None
    form = CounterForm(data, substances=choices, initial={"started_on": patient.local_today()})
    if form.is_valid() and _save(request, patient, form, form.cleaned_data["substance"]):
        return _back(form.cleaned_data["substance"])
    context = {"form": form, "counter": None, "currency": currency_symbol(_locale(patient))}
    return render(request, "checkins/counter_form.html", context, status=form_status(form))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def edit_counter(request: HttpRequest, substance: str) -> HttpResponse:
    """Correct a counter's start date (not a lapse) or its amount a day."""
    patient = own_patient_record(actor_for(request))
    counter = _counter(patient, substance)
    initial = {"started_on": counter.started_on, "amount_per_day": counter.amount_per_day}
    form = CounterForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid() and _save(request, patient, form, substance):
        return _back(substance)
    context = {"form": form, "counter": counter, "currency": currency_symbol(_locale(patient))}
    return render(request, "checkins/counter_form.html", context, status=form_status(form))


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def stop_counter(request: HttpRequest, substance: str) -> HttpResponse:
    """Stop showing a counter; it can be started again later from the same day."""
    patient = own_patient_record(actor_for(request))
    counter = _counter(patient, substance, stopped_too=True)
    if not counter.tracked:  # a second tap: stopped already, nothing more to say
        return redirect("checkins:recovery")
    stop_tracking(patient, counter.substance)
    messages.success(
        request,
        f"You've stopped the {substance_name(substance)} counter. You can start it again "
        "from your recovery page.",
    )
    return redirect("checkins:recovery")


def _locale(patient: Patient) -> str:
    return str(patient.organization.locale)
