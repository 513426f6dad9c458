from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import actor_for, own_patient_record, role_required
from waymark.audit.models import AuditEvent
from waymark.organizations.models import Role


@require_GET
@role_required(Role.PATIENT)
def my_access_log(request: HttpRequest) -> HttpResponse:
    """Who has looked at, or changed, my record — newest first."""
    patient = own_patient_record(actor_for(request))
    events = AuditEvent.objects.filter(
        organization=patient.organization, patient=patient
    ).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/my_access_log.html", {"patient": patient, "page": page})
