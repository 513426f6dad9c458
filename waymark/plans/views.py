"""Plan and coping-tool pages: the patient's own (403 for other roles) and a clinician's
view of one patient (404 outside their organization; every read audited)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waymark.access import (
    Capability,
    actor_for,
    capability_required,
    get_patient,
    own_patient_record,
)
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.errors import form_status
from waymark.organizations.crisis import crisis_help_for
from waymark.patients.models import Patient
from waymark.plans import services
from waymark.plans.fields import COPING_IDEAS, SECTIONS
from waymark.plans.forms import CopingUseForm, PlanForm, SectionsForm, as_initial
from waymark.plans.models import CopingTool
from waymark.plans.pdf import plan_pdf

Form = TypeVar("Form", bound=SectionsForm)


def posted_plan(
    request: HttpRequest,
    patient: Patient,
    form_class: type[Form],
    kind: services.PlanKind,
    saved: str,
) -> tuple[Form, bool] | None:
    """On POST, the bound form and whether it was valid, and so saved as a new version of
    the plan (`saved` is said to the person); None on GET."""
    if request.method != "POST":
        return None
    form = form_class(request.POST)
    if not form.is_valid():
        return form, False
    services.save_plan(patient, form.content(), actor=actor_for(request), kind=kind)
    messages.success(request, saved)
    return form, True


def _plan_form(request: HttpRequest, patient: Patient) -> tuple[PlanForm, bool]:
    """The bound form on POST (saved if valid), else the current plan or suggestions."""
    posted = posted_plan(request, patient, PlanForm, services.RELAPSE, "Plan saved.")
    if posted is not None:
        return posted
    plan = services.current_plan(patient)
    if plan is not None:
        return PlanForm(initial=as_initial(plan.content)), False
    suggested = [label for label, _ in services.trigger_suggestions(patient)]
    return PlanForm(initial={"triggers": "\n".join(suggested)}), False


def _plan_context(patient: Patient, form: PlanForm) -> dict[str, Any]:
    return {
        "patient": patient,
        "form": form,
        "plan": services.current_plan(patient),
        "suggestions": services.trigger_suggestions(patient),
        "coping_ideas": COPING_IDEAS,
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.USE_PATIENT_APP)
def my_plan(request: HttpRequest) -> HttpResponse:
    """The patient builds their plan; each save is a new version."""
    patient = own_patient_record(actor_for(request))
    form, saved = _plan_form(request, patient)
    if saved:
        return redirect("plans:my_plan")
    context = _plan_context(patient, form)
    return render(request, "plans/my_plan.html", context, status=form_status(form))


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def print_plan(request: HttpRequest) -> HttpResponse:
    """One printable page (print CSS)."""
    patient = own_patient_record(actor_for(request))
    plan = services.current_plan(patient)
    return render(request, "plans/print.html", {"patient": patient, "plan": plan,
                                                "sections": SECTIONS})  # fmt: skip


def _pdf_response(patient: Patient) -> HttpResponse:
    """Both plans in one PDF: the relapse prevention plan, then the safety plan if any."""
    pdf = plan_pdf(patient, services.current_plan(patient),
                   services.current_safety_plan(patient), crisis_help_for(patient))  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="relapse-prevention-plan.pdf"'
    return response


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def my_plan_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf_response(own_patient_record(actor_for(request)))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_PLAN_FOR_PATIENT)
def patient_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A clinician views or edits a patient's plan and sees who changed what, and when."""
    patient = get_patient(actor_for(request), patient_id, object_type=AuditObject.RELAPSE_PLAN)
    form, saved = _plan_form(request, patient)
    if saved:
        return redirect("plans:patient_plan", patient_id=patient.pk)
    context = _plan_context(patient, form)
    context |= {"history": services.history(patient), "helps": services.what_helps(patient)}
    return render(request, "plans/patient_plan.html", context, status=form_status(form))


@require_GET
@capability_required(Capability.EDIT_PLAN_FOR_PATIENT)
def patient_plan_pdf(request: HttpRequest, patient_id: str) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(
        actor, patient_id, action=AuditAction.EXPORT, object_type=AuditObject.RELAPSE_PLAN
    )
    safety = services.current_safety_plan(patient)
    if safety is not None:  # the PDF carries the safety plan too: its export is recorded
        record(actor, AuditAction.EXPORT, patient=patient,
               object_type=AuditObject.SAFETY_PLAN, object_id=str(safety.pk))  # fmt: skip
    return _pdf_response(patient)


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def coping(request: HttpRequest) -> HttpResponse:
    """Urge surfing, breathing, the patient's own strategies, reasons and people to call."""
    patient = own_patient_record(actor_for(request))
    context = {
        "patient": patient,
        "plan": services.current_plan(patient),
        "helps": services.what_helps(patient),
        "form": CopingUseForm(),
        "tools": CopingTool,
    }
    return render(request, "plans/coping.html", context)


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def coping_use(request: HttpRequest) -> HttpResponse:
    """Record that a tool was used (craving before/after optional)."""
    patient = own_patient_record(actor_for(request))
    form = CopingUseForm(request.POST)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        ]
        messages.error(request, "That could not be saved. " + "; ".join(problems))
        return redirect("plans:coping")
    data = form.cleaned_data
    services.record_coping_use(patient, data["tool"], before=data["craving_before"],
                               after=data["craving_after"])  # fmt: skip
    messages.success(request, "Saved. Well done for riding it out.")
    return redirect("plans:coping")
