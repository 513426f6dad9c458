"""The supporter's pages: the people they support, and each person's page showing only
what that person's consent allows now. Every page carries the redisclosure notice and a
link to the consent it rests on; every read is a disclosure (support/access.py)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from waymark.access import Capability, actor_for, audit_shown, capability_required
from waymark.audit.models import AuditObject
from waymark.support import shared
from waymark.support.access import current_consent, links_with_consent, shared_patient
from waymark.support.models import SupporterLink
from waymark.support.services import mark_in_touch

SUPPORTER = Capability.SUPPORT_SOMEONE
SUPPORTER_VIEW = AuditObject.SUPPORTER_VIEW


@require_GET
@capability_required(SUPPORTER)
def home(request: HttpRequest) -> HttpResponse:
    """The people I support: names only (what they share is on each person's page)."""
    actor = actor_for(request)
    people = links_with_consent(actor.user, timezone.now())
    audit_shown(actor, (link.patient for link, _ in people), object_type=SUPPORTER_VIEW)
    return render(request, "support/home.html", {"people": people})


@require_GET
@capability_required(SUPPORTER)
def person(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    actor = actor_for(request)
    now = timezone.now()
    patient = shared_patient(actor, patient_id, now)
    sections = shared.sections_for(actor, patient, now)
    context = {"patient": patient, "sections": sections, "consent": sections.consent}
    return render(request, "support/person.html", context)


@require_GET
@capability_required(SUPPORTER)
def consent_copy(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """A copy of the consent the supporter's pages rest on (only while it is in force)."""
    now = timezone.now()
    actor = actor_for(request)
    patient = shared_patient(actor, patient_id, now)
    link = SupporterLink.objects.get(patient=patient, supporter=actor.user)
    consent = current_consent(link, now)
    return render(
        request, "support/consent.html", {"consent": consent, "status": "active", "copy": True}
    )


@require_POST
@capability_required(SUPPORTER)
def in_touch(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    now = timezone.now()
    patient = shared_patient(actor_for(request), patient_id, now)
    if mark_in_touch(actor_for(request), patient, now):
        messages.success(request, "Thank you. We have let them know you have been in touch.")
    return redirect("support:person", patient.pk)
