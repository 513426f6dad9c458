"""The personal safety plan's pages: the patient's own (403 for other roles), and a
clinician's view of one patient's, to write it with or for them (404 outside their
organization; every read audited as the safety plan)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import (
    Capability,
    actor_for,
    capability_required,
    get_patient,
    own_patient_record,
)
from waymark.audit.models import AuditObject
from waymark.errors import form_status
from waymark.organizations.crisis import crisis_help_for
from waymark.patients.models import Patient
from waymark.plans import services
from waymark.plans.fields import SAFETY_INTRO, SAFETY_SECTIONS
from waymark.plans.forms import SafetyPlanForm, as_initial
from waymark.plans.views import posted_plan


def _safety_form(request: HttpRequest, patient: Patient) -> tuple[SafetyPlanForm, bool]:
    """The bound form on POST (saved as a new version if valid), else the current plan."""
    posted = posted_plan(request, patient, SafetyPlanForm, services.SAFETY, "Safety plan saved.")
    if posted is not None:
        return posted
    plan = services.current_safety_plan(patient)
    return SafetyPlanForm(initial=as_initial(plan.content) if plan else None), False


def _context(patient: Patient, **extra: Any) -> dict[str, Any]:
    return {
        "patient": patient,
        "plan": services.current_safety_plan(patient),
        "help": crisis_help_for(patient),
        "intro": SAFETY_INTRO,
        "sections": SAFETY_SECTIONS,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def my_safety_plan(request: HttpRequest) -> HttpResponse:
    """The patient writes their safety plan; each save is a new version."""
    patient = own_patient_record(actor_for(request))
    form, saved = _safety_form(request, patient)
    if saved:
        return redirect("plans:my_safety_plan")
    return render(
        request, "plans/my_safety_plan.html", _context(patient, form=form),
        status=form_status(form),
    )  # fmt: skip


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def print_safety_plan(request: HttpRequest) -> HttpResponse:
    """One printable page (print CSS), with the organization's crisis lines."""
    patient = own_patient_record(actor_for(request))
    return render(request, "plans/safety_print.html", _context(patient))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_PLAN_FOR_PATIENT)
def patient_safety_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A clinician sees a patient's safety plan, writes it with them, and sees its versions."""
    patient = get_patient(actor_for(request), patient_id, object_type=AuditObject.SAFETY_PLAN)
    form, saved = _safety_form(request, patient)
    if saved:
        return redirect("plans:patient_safety_plan", patient_id=patient.pk)
    context = _context(patient, form=form, history=services.history(patient, services.SAFETY))
    return render(request, "plans/patient_safety_plan.html", context, status=form_status(form))
