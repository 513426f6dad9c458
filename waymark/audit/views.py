from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import Capability, actor_for, capability_required, own_patient_record
from waymark.audit.queries import access_log


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def my_access_log(request: HttpRequest) -> HttpResponse:
    """Who has looked at, or changed, my record — newest first, list views grouped by day."""
    patient = own_patient_record(actor_for(request))
    page = access_log(patient, request.GET.get("page"))
    return render(request, "audit/my_access_log.html", {"patient": patient, "page": page})
