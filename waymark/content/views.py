"""The Learn library: a searchable list (with a "for you" rail for patients), articles,
and the evidence library for clinicians (READ_EVIDENCE).

Who reads what is decided by capability, never by role: the evidence notes (audience
`clinician`) open only for READ_EVIDENCE, so a patient or a supporter gets a 404 on one
and never finds one in a list or a search. A supporter's library leads with the family
articles; everyone else's with the articles for people in recovery.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import (
    Actor,
    Capability,
    actor_for,
    can,
    capability_required,
    own_patient_record,
)
from waymark.content.for_you import for_you
from waymark.content.library import readable, search
from waymark.content.models import Audience


def _library_order(actor: Actor) -> tuple[str, ...]:
    """The audiences of the Learn list, in the order it shows them: a supporter (no
    patient pages, no evidence library) reads the family articles first."""
    if can(actor, Capability.USE_PATIENT_APP) or can(actor, Capability.READ_EVIDENCE):
        return (Audience.PATIENT, Audience.FAMILY)
    return (Audience.FAMILY, Audience.PATIENT)


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:200]


@require_GET
@capability_required(Capability.READ_LEARN)
def library(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    query = _query(request)
    order = _library_order(actor)
    found = search(actor.organization, query, order)
    is_patient = can(actor, Capability.USE_PATIENT_APP)
    suggestions = for_you(own_patient_record(actor)) if is_patient and not query else []
    context = {
        "query": query,
        "articles": sorted(found, key=lambda article: order.index(article.audience)),
        "suggestions": suggestions,
    }
    return render(request, "content/library.html", context)


@require_GET
@capability_required(Capability.READ_EVIDENCE)
def evidence(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    query = _query(request)
    notes = search(actor.organization, query, {Audience.CLINICIAN})
    return render(request, "content/evidence.html", {"query": query, "notes": notes})


@require_GET
@capability_required(Capability.READ_LEARN)
def article(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for(request)
    audiences = {Audience.PATIENT, Audience.FAMILY}
    if can(actor, Capability.READ_EVIDENCE):
        audiences.add(Audience.CLINICIAN)
    found = readable(actor.organization, audiences).get(slug)
    if found is None:
        raise Http404("No such article.")
    return render(request, "content/article.html", {"article": found})
