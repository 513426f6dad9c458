"""The clinician's caseload and patient record, and the patient's own home."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from waymark.access import (
    Actor,
    Capability,
    actor_for,
    audit_shown,
    capability_required,
    get_patient,
    own_patient_record,
    visible_patients,
)
from waymark.audit.models import AuditAction, AuditObject
from waymark.errors import ServiceError, ServiceErrorFormMixin, form_status
from waymark.organizations.models import Program
from waymark.patients.forms import AdmitForm, CaseloadFilter, DischargeForm, MoveForm
from waymark.patients.hooks import census_sections, decorate_caseload, watch_days
from waymark.patients.keyset import Cursor, caseload_page, order_named
from waymark.patients.models import CareTeamMember, Patient, ProgramStay
from waymark.patients.panels import HOME, RECORD, build_panels, lazy_panel, panels_for
from waymark.patients.queries import attach_current_programs, matching, with_current_program
from waymark.patients.queries import caseload as caseload_rows
from waymark.patients.record import record_header
from waymark.patients.record import summary_pdf as record_summary_pdf
from waymark.patients.reviews import not_reviewed_by, record_reviewed, reviewed_at_by
from waymark.patients.timeline import day_range, events_for, timeline_chart
from waymark.patients.transitions import (
    admit_patient,
    attach_watch,
    discharge_patient,
    in_care_or_recently_discharged,
    move_patient,
    organization_today,
    recent_discharges,
    recently_discharged,
)
from waymark.patients.watch import FOLLOW_UP_DEFAULT_DAYS

CASELOAD_PAGE_SIZE = 50


@require_GET
@capability_required(Capability.VIEW_CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    """Patients sorted by risk (or a column the clinician picks), with the reasons;
    searchable; refreshes itself as a fragment (htmx).

    By default: patients in care and those recently discharged (the watch after a
    discharge, the organization's window), who are marked so.
    """
    actor = actor_for(request)
    assert actor.organization is not None
    filters = CaseloadFilter(request.GET, organization=actor.organization)
    filters.is_valid()
    today = organization_today(actor.organization)
    window = watch_days(actor.organization.pk)
    order = order_named(filters.value("sort"))
    page = caseload_page(
        _caseload_rows(actor, filters, today, window),
        organization_id=actor.organization.pk,
        cursor=Cursor.decode(request.GET.get("after"), order),
        per_page=CASELOAD_PAGE_SIZE,
        order=order,
    )
    audit_shown(actor, page.object_list, object_type=AuditObject.CASELOAD)
    rows = decorate_caseload(attach_current_programs(list(page.object_list)))
    page.object_list = attach_watch(rows, today, window)
    template = (
        "patients/_caseload_region.html"
        if request.headers.get("HX-Request")
        else "patients/caseload.html"
    )
    context = {"page": page, "filters": filters, "order": order, "today": today}
    return render(request, template, context)


def _caseload_rows(
    actor: Actor, filters: CaseloadFilter, today: dt.date, window: int
) -> QuerySet[Patient]:
    """The actor's caseload as the filters and the search narrow it (not yet ordered)."""
    scoped: QuerySet[Patient] = visible_patients(actor)
    show = filters.value("show")
    if show == "recent":
        scoped = recently_discharged(scoped, today, window)
    elif show != "all":
        scoped = in_care_or_recently_discharged(scoped, today, window)
    if filters.value("q"):
        scoped = matching(scoped, filters.value("q"))
    if filters.value("reviewed") == "stale":
        scoped = not_reviewed_by(scoped, actor.user.pk, timezone.now())
    program, clinician = filters.value("program"), filters.value("clinician")
    return caseload_rows(
        scoped,
        program_id=program.pk if program else None,
        level=filters.value("level") or "",
        clinician_id=clinician.pk if clinician else None,
    ).annotate(reviewed_at=reviewed_at_by(actor.user.pk))


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    patient = get_patient(actor, patient_id)
    record_reviewed(actor, patient)  # the caseload's "last reviewed by me" (issue 16)
    header = record_header(patient)  # its episodes and stays are shared with the panels
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "header": header,
            "episodes": header.episodes,
            "patient_in_care": any(episode.is_open for episode in header.episodes),
            "panels": panels_for(RECORD, request, patient),
        },
    )


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def record_panel(request: HttpRequest, patient_id: uuid.UUID, name: str) -> HttpResponse:
    """One lazy panel of the record (patients/panels.py), read on its own: the fragment
    htmx puts in the page, or a page of its own without JavaScript; the read is audited."""
    panel = lazy_panel(name, request)
    if panel is None:
        raise Http404("No such panel.")
    patient = get_patient(actor_for(request), patient_id, object_type=panel.audit_object)
    (shown,) = build_panels([panel], request, patient)
    context = {"patient": patient, "panel": shown, "title": panel.title}
    if request.headers.get("HX-Request"):
        return render(request, "patients/_panel.html", context)
    return render(request, "patients/panel.html", context)


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def record_print(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The record's header and episodes on paper (issue 16, point 2); the read is audited."""
    patient = get_patient(actor_for(request), patient_id, object_type=AuditObject.RECORD_PRINT)
    header = record_header(patient)
    return render(request, "patients/print.html", {"patient": patient, "header": header})


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def summary_pdf(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """A one-page summary of the record as a PDF; the download is audited."""
    patient = get_patient(
        actor_for(request),
        patient_id,
        action=AuditAction.EXPORT,
        object_type=AuditObject.RECORD_SUMMARY,
    )
    response = HttpResponse(record_summary_pdf(record_header(patient)), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{patient.record_number}-summary.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
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
        {
            "patient": patient,
            "current": current,
            "care_team": care_team,
            "panels": panels_for(HOME, request, patient),
        },
    )


TRANSITIONS: dict[str, tuple[type[forms.Form], str]] = {
    "admit": (AdmitForm, "Admit to a program"),
    "move": (MoveForm, "Move to another level of care"),
    "discharge": (DischargeForm, "Discharge"),
}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_TRANSITIONS)
def transition(request: HttpRequest, patient_id: uuid.UUID, kind: str) -> HttpResponse:
    """Admit, move or discharge: one form each; a refusal names the field at fault."""
    if kind not in TRANSITIONS:
        raise Http404("No such transition.")
    actor = actor_for(request)
    patient = get_patient(actor, patient_id, object_type=AuditObject(f"transition_{kind}"))
    form_class, title = TRANSITIONS[kind]
    form = _transition_form(form_class, request, patient)
    if request.method == "POST" and form.is_valid():
        try:
            _apply_transition(kind, actor, patient, form.cleaned_data)
        except ServiceError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            cast(ServiceErrorFormMixin, form).add_service_error(error)
        else:
            messages.success(request, f"{title}: saved.")
            return redirect("patients:detail", patient_id=patient.pk)
    context = {"patient": patient, "form": form, "title": title}
    return render(request, "patients/transition.html", context, status=form_status(form))


def _transition_form(
    form_class: type[forms.Form], request: HttpRequest, patient: Patient
) -> forms.Form:
    data = request.POST if request.method == "POST" else None
    if form_class is DischargeForm:
        suggested = patient.local_today() + dt.timedelta(days=FOLLOW_UP_DEFAULT_DAYS)
        return DischargeForm(data, initial={"follow_up_on": suggested})
    return form_class(data, organization=patient.organization)  # type: ignore[call-arg]


def _apply_transition(kind: str, actor: Actor, patient: Patient, data: dict) -> None:
    today = patient.local_today()
    if kind == "admit":
        admit_patient(
            actor, patient, data["program"], on=data["on"],
            planned_discharge_on=data["planned_discharge_on"], today=today,
        )  # fmt: skip
    elif kind == "move":
        move_patient(actor, patient, data["program"], on=data["on"], today=today)
    else:
        discharge_patient(
            actor, patient, on=data["on"], destination=data["destination"],
            aftercare_plan=data["aftercare_plan"], today=today,
            no_aftercare_reason=data["no_aftercare_reason"], follow_up_on=data["follow_up_on"],
        )  # fmt: skip


@require_GET
@capability_required(Capability.VIEW_CASELOAD)
def census(request: HttpRequest) -> HttpResponse:
    """Who is in each program now, for how long, and when they are expected to leave;
    and, in their own section, who was recently discharged (the watch after discharge)."""
    actor = actor_for(request)
    assert actor.organization is not None
    stays = (
        ProgramStay.objects.filter(ended_on__isnull=True, patient__in=visible_patients(actor))
        .select_related("patient", "program", "episode")
        .order_by("program__name", "started_on")
    )
    by_program: dict[Program, list[dict[str, object]]] = {}
    for stay in stays:
        today = stay.patient.local_today()
        by_program.setdefault(stay.program, []).append(
            {
                "stay": stay,
                "days": stay.days_in_program(today),
                "expected": stay.episode.planned_discharge_on or stay.planned_end_on,
                "overdue": (stay.planned_end_on or today) < today,
            }
        )
    window = watch_days(actor.organization.pk)
    discharged = recent_discharges(
        visible_patients(actor), organization_today(actor.organization), window
    )
    shown = {stay.patient for stay in stays} | {row.episode.patient for row in discharged}
    audit_shown(actor, shown, object_type=AuditObject.CENSUS)
    return render(
        request,
        "patients/census.html",
        {
            "by_program": by_program,
            "discharged": discharged,
            "window": window,
            "sections": census_sections(request),
        },
    )


TIMELINE_RANGES = {"30": 30, "90": 90, "365": 365}


@require_GET
@capability_required(Capability.VIEW_PATIENT_RECORD)
def timeline(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """Everything that happened, on one chart and in one list, newest first."""
    patient = get_patient(actor_for(request), patient_id, object_type=AuditObject.TIMELINE)
    days = TIMELINE_RANGES.get(request.GET.get("days", ""), 90)
    since = timezone.now() - dt.timedelta(days=days)
    events = events_for(patient, since)
    locale = patient.organization.locale
    chart = timeline_chart(events, locale=locale, days=day_range(since))
    return render(
        request,
        "patients/timeline.html",
        {"patient": patient, "events": events, "days": days, "chart": chart},
    )
