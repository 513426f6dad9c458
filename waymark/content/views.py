"""The Learn library: a searchable list (with a "for you" rail for patients) and articles."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import Capability, actor_for, can, capability_required, own_patient_record
from waymark.content.for_you import for_you
from waymark.content.library import articles_for, search


@require_GET
@capability_required(Capability.READ_LEARN)
def library(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    query = request.GET.get("q", "").strip()[:200]
    is_patient = can(actor, Capability.USE_PATIENT_APP)
    suggestions = for_you(own_patient_record(actor)) if is_patient else []
    context = {
        "query": query,
        "articles": search(actor.organization, query),
        "suggestions": [] if query else suggestions,
    }
    return render(request, "content/library.html", context)


@require_GET
@capability_required(Capability.READ_LEARN)
def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = articles_for(actor_for(request).organization).get(slug)
    if found is None:
        raise Http404("No such article.")
    return render(request, "content/article.html", {"article": found})
