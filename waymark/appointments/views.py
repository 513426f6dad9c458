"""Appointment pages: the patient's own list and calendar files; the record's list, the
scheduling form, one appointment (reschedule, cancel, outcome) and a clinician's week.

Staff reads are audited by the access layer or `services.staff_appointment`; writes by
the services, in the transaction that makes them. Group pages are in group_views.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import (
    Capability,
    actor_for,
    audit_shown,
    can,
    capability_required,
    get_patient,
    own_patient_record,
)
from waymark.appointments import services
from waymark.appointments.calendar import as_ics
from waymark.appointments.forms import (
    AppointmentForm,
    CancelForm,
    LeadTimeForm,
    OutcomeForm,
    RescheduleForm,
)
from waymark.appointments.models import Appointment, AppointmentPreference, LeadTime
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError, form_status


def run_form(
    request: HttpRequest, form: forms.Form, save: Callable[[], Any], done: str
) -> HttpResponse | None:
    """Save a valid form through its service (a 403 refusal stays a 403); the redirect on
    success, else None: the caller shows the form with its errors (422)."""
    if not form.is_valid():
        return None
    try:
        save()
    except ServiceError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        form.add_service_error(error)  # type: ignore[attr-defined]
        return None
    messages.success(request, "Saved.")
    return redirect(done)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def mine(request: HttpRequest) -> HttpResponse:
    """The patient's appointments, and how long before one they want a reminder."""
    patient = own_patient_record(actor_for(request))
    preference = AppointmentPreference.objects.filter(patient=patient).first()
    initial = {"lead_minutes": preference.lead_minutes if preference else LeadTime.ONE_DAY}
    form = LeadTimeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        AppointmentPreference.objects.update_or_create(
            organization_id=patient.organization_id, patient=patient,
            defaults={"lead_minutes": form.cleaned_data["lead_minutes"]},
        )  # fmt: skip
        messages.success(request, "Reminder choice saved.")
        return redirect("appointments:mine")
    now = timezone.now()
    every = list(services.for_patient(patient))
    context = {
        "patient": patient,
        "upcoming": [a for a in every if a.ends_at >= now and not a.is_cancelled],
        "cancelled": [a for a in every if a.ends_at >= now and a.is_cancelled],
        "form": form,
    }
    return render(request, "appointments/mine.html", context, status=form_status(form))


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def calendar_file(request: HttpRequest, appointment_id: int) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    appointment = services.own_appointment(patient, appointment_id)
    body = as_ics(appointment, host=request.get_host().split(":")[0], now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def patient_list(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.APPOINTMENTS)
    context = {
        "patient": patient,
        "appointments": list(services.for_patient(patient).order_by("-starts_at", "-pk")),
        "can_schedule": can(actor, Capability.SCHEDULE_APPOINTMENTS),
        "zone": services.zone_of(patient.organization),
    }
    return render(request, "appointments/patient_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.SCHEDULE_APPOINTMENTS)
def new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject.APPOINTMENTS)
    clinicians = list(services.clinicians_of(patient.organization))
    form = AppointmentForm(request.POST or None, clinicians=clinicians,
                           initial={"clinician": actor.user.pk})  # fmt: skip

    def save() -> None:
        services.schedule_appointment(actor, patient, form.to_data())

    done = run_form(request, form, save, f"/patients/{patient.pk}/appointments/")
    context = {"patient": patient, "form": form, "zone": patient.organization.timezone}
    return done or render(request, "appointments/form.html", context, status=form_status(form))


def _detail(request: HttpRequest, appointment: Appointment, **forms_: forms.Form) -> HttpResponse:
    actor = actor_for(request)
    context = {
        "appointment": appointment,
        "changes": list(appointment.changes.select_related("by")),
        "zone": services.zone_of(appointment.organization),
        "started": appointment.has_started(timezone.now()),
        "can_schedule": can(actor, Capability.SCHEDULE_APPOINTMENTS),
        "reschedule_form": forms_.get("reschedule") or RescheduleForm(),
        "cancel_form": forms_.get("cancel") or CancelForm(),
        "outcome_form": forms_.get("outcome") or OutcomeForm(),
    }
    return render(
        request, "appointments/detail.html", context, status=form_status(*forms_.values())
    )


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _detail(request, services.staff_appointment(actor_for(request), appointment_id))


def _change(request: HttpRequest, appointment_id: int, name: str) -> HttpResponse:
    """Reschedule, cancel or record the outcome: the form posted to its own URL."""
    actor = actor_for(request)
    appointment = services.staff_appointment(actor, appointment_id)
    form_class = {"reschedule": RescheduleForm, "cancel": CancelForm, "outcome": OutcomeForm}
    form = form_class[name](request.POST)

    def save() -> None:
        data = form.cleaned_data
        if name == "reschedule":
            services.reschedule(actor, appointment, data["on"], data["at"], data["reason"])
        elif name == "cancel":
            services.cancel(actor, appointment, data["reason"])
        else:
            services.record_outcome(actor, appointment, data["outcome"])

    done = run_form(request, form, save, f"/appointments/{appointment.pk}/")
    return done or _detail(request, appointment, **{name: form})


@require_POST
@capability_required(Capability.SCHEDULE_APPOINTMENTS)
def reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _change(request, appointment_id, "reschedule")


@require_POST
@capability_required(Capability.SCHEDULE_APPOINTMENTS)
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _change(request, appointment_id, "cancel")


@require_POST
@capability_required(Capability.SCHEDULE_APPOINTMENTS)
def outcome(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _change(request, appointment_id, "outcome")


@require_GET
@capability_required(Capability.SCHEDULE_APPOINTMENTS)
def schedule(request: HttpRequest) -> HttpResponse:
    """The signed-in clinician's week, from today (or `?from=YYYY-MM-DD`)."""
    actor = actor_for(request)
    assert actor.organization is not None
    zone = services.zone_of(actor.organization)
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = timezone.now().astimezone(zone).date()
    week = services.week_of(actor, actor.user, first)
    audit_shown(actor, [a.patient for a in week if a.patient], object_type=AuditObject.SCHEDULE)
    days = [first + dt.timedelta(days=n) for n in range(7)]
    by_day = {day: [a for a in week if a.starts_at.astimezone(zone).date() == day] for day in days}
    context = {"by_day": by_day, "zone": zone, "previous": first - dt.timedelta(days=7),
               "next": first + dt.timedelta(days=7)}  # fmt: skip
    return render(request, "appointments/schedule.html", context)
