"""The patient's meeting list: browse by day and type, save favourites, log going in one
tap. The list itself is kept by the organization admin in the admin site."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from waymark.access import Actor, Capability, actor_for, capability_required, own_patient_record
from waymark.meetings.models import Fellowship, Meeting, Weekday
from waymark.meetings.services import (
    Filters,
    attended_today,
    favourite_ids,
    log_attendance,
    meeting_for,
    meetings_for,
    toggle_favourite,
    weekly_count,
)
from waymark.patients.models import Patient


@require_GET
@capability_required(Capability.USE_PATIENT_APP)
def meeting_list(request: HttpRequest) -> HttpResponse:
    patient = own_patient_record(actor_for(request))
    filters = Filters.parse(request.GET.get("day"), request.GET.get("type"))
    favourites = favourite_ids(patient)
    meetings = list(meetings_for(patient, filters))
    context = {
        "meetings": sorted(meetings, key=lambda m: m.pk not in favourites),
        "favourites": favourites,
        "attended": attended_today(patient),
        "filters": filters,
        "weekdays": Weekday.choices,
        "fellowships": Fellowship.choices,
        "weekly_count": weekly_count(patient),
        "query": _query(request),
    }
    return render(request, "meetings/list.html", context)


def _query(request: HttpRequest) -> str:
    """The list's filters, kept across a tap (from the query string or the form)."""
    source = request.POST if request.method == "POST" else request.GET
    kept = {key: source[key] for key in ("day", "type") if source.get(key)}
    return urlencode(kept)


def _back(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    return redirect(reverse("meetings:list") + (f"?{query}" if query else ""))


def _own_meeting(request: HttpRequest, meeting_id: int) -> tuple[Actor, Patient, Meeting]:
    """The signed-in patient, their record, and one meeting they may see (else 404)."""
    actor = actor_for(request)
    patient = own_patient_record(actor)
    return actor, patient, meeting_for(patient, meeting_id)


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def favourite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor, patient, meeting = _own_meeting(request, meeting_id)
    saved = toggle_favourite(actor, patient, meeting)
    messages.success(request, f"{meeting.name} {'saved' if saved else 'removed'} as a favourite.")
    return _back(request)


@require_POST
@capability_required(Capability.USE_PATIENT_APP)
def attend(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor, patient, meeting = _own_meeting(request, meeting_id)
    if log_attendance(actor, patient, meeting):
        messages.success(request, f"Well done for going to {meeting.name}. It's in your week.")
    else:
        messages.info(request, f"{meeting.name} is already logged for today.")
    return _back(request)
