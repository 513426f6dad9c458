"""The alerts inbox: what needs a clinician, why, and what was done about it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from waymark.access import (
    Actor,
    Capability,
    actor_for,
    capability_required,
    get_patient,
    one_of,
    page_and_audit,
    visible_patients,
)
from waymark.alerts import services
from waymark.alerts.forms import AcknowledgeForm, AssignForm, InboxFilter, ResolveForm
from waymark.alerts.models import Alert, AlertStatus
from waymark.audit.models import AuditObject
from waymark.errors import ServiceError

INBOX_PAGE_SIZE = 50
DONE = {
    "acknowledge": "Alert acknowledged.",
    "assign": "Alert assigned.",
    "resolve": "Alert resolved.",
}


def alert_for(actor: Actor, alert_id: int) -> Alert:
    """An alert of a patient the actor may see (audited as a read of that patient), or 404."""
    alerts = Alert.objects.filter(organization=actor.organization)
    alert = one_of(alerts, alert_id, "No such alert.")
    alert.patient = get_patient(
        actor, alert.patient_id, object_type=AuditObject.ALERT, object_id=str(alert.pk)
    )
    return alert


@require_GET
@capability_required(Capability.ACT_ON_ALERTS)
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    filters = InboxFilter(request.GET)
    filters.is_valid()
    alerts = Alert.objects.filter(patient__in=visible_patients(actor)).select_related(
        "patient", "assigned_to"
    )
    if filters.cleaned_data.get("status") == "resolved":
        alerts = alerts.filter(status=AlertStatus.RESOLVED).order_by("-resolved_at")
    else:
        alerts = alerts.exclude(status=AlertStatus.RESOLVED).order_by("-severity", "-last_seen_at")
    if filters.cleaned_data.get("mine"):
        alerts = alerts.filter(assigned_to=actor.user)
    page = page_and_audit(
        actor,
        alerts,
        request,
        object_type=AuditObject.ALERTS_INBOX,
        per_page=INBOX_PAGE_SIZE,
        patient_of=lambda alert: alert.patient,
    )
    template = (
        "alerts/_inbox_rows.html" if request.headers.get("HX-Request") else "alerts/inbox.html"
    )
    return render(request, template, {"page": page, "filters": filters})


@require_GET
@capability_required(Capability.ACT_ON_ALERTS)
def detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = actor_for(request)
    alert = alert_for(actor, alert_id)
    assert actor.organization is not None
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "history": services.history(alert),
            "acknowledge_form": AcknowledgeForm(),
            "assign_form": AssignForm(organization=actor.organization),
            "resolve_form": ResolveForm(),
        },
    )


@require_POST
@capability_required(Capability.ACT_ON_ALERTS)
def act(request: HttpRequest, alert_id: int, step: str) -> HttpResponse:
    """Acknowledge, assign or resolve; a refused step explains itself."""
    actor = actor_for(request)
    alert = alert_for(actor, alert_id)
    assert actor.organization is not None
    forms = {
        "acknowledge": AcknowledgeForm(request.POST),
        "assign": AssignForm(request.POST, organization=actor.organization),
        "resolve": ResolveForm(request.POST),
    }
    form = forms.get(step)
    if form is None:
        raise Http404("No such step.")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("alerts:detail", alert_id=alert.pk)
    note = form.cleaned_data.get("note", "")
    try:
        if step == "acknowledge":
            services.acknowledge(alert, actor, note=note)
        elif step == "assign":
            services.assign(alert, actor, form.cleaned_data["assignee"], note=note)
        else:
            services.resolve(alert, actor, note=note)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE[step])
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("alerts:detail", alert_id=alert.pk)
