from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from waymark.access import Capability, actor_for, can, visible_patients
from waymark.organizations.crisis import CrisisHelp, crisis_help_defaults, crisis_help_for
from waymark.patients.models import Patient
from waymark.patients.panels import HELP, panels_for


def _patient(request: HttpRequest) -> Patient | None:
    """The signed-in patient's own record, or None for anyone else."""
    if not request.user.is_authenticated:
        return None
    actor = actor_for(request)
    if actor.organization is None or not can(actor, Capability.USE_PATIENT_APP):
        return None
    return visible_patients(actor).select_related("organization").first()


def _crisis_help(request: HttpRequest) -> tuple[CrisisHelp, ...]:
    """The signed-in person's crisis help (a patient's own, or their organization's); every
    locale's defaults for someone not signed in."""
    if not request.user.is_authenticated:
        return crisis_help_defaults()
    actor = actor_for(request)
    if actor.organization is None:
        return crisis_help_defaults()
    patient = None
    if can(actor, Capability.USE_PATIENT_APP):
        patient = visible_patients(actor).select_related("organization").first()
    return (crisis_help_for(patient or actor.organization),)


@require_GET
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis help. Open to everyone, signed in or not: nobody should hit a sign-in wall here.
    A patient also sees the panels apps register for the help page ("let my people know")."""
    patient = _patient(request)
    shown = panels_for(HELP, request, patient) if patient is not None else []
    return render(
        request, "organizations/help.html", {"helps": _crisis_help(request), "panels": shown}
    )


@require_GET
@cache_control(private=True, no_cache=True)
def help_offline(request: HttpRequest) -> HttpResponse:
    """The same crisis help as a fragment the service worker keeps, for its offline pages
    (static/checkins/sw.js); it is dropped from the phone at sign-out."""
    return render(request, "organizations/_crisis_offline.html", {"helps": _crisis_help(request)})
