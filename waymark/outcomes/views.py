"""The organization's outcomes dashboard (issue 18)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import Capability, actor_for, capability_required
from waymark.outcomes.dashboard import figures
from waymark.outcomes.forms import OutcomesFilter


@require_GET
@capability_required(Capability.VIEW_OUTCOMES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aggregate figures over the patients the viewer may see; no patient is named here."""
    actor = actor_for(request)
    assert actor.organization is not None
    filters = OutcomesFilter(request.GET, organization=actor.organization)
    scope = filters.scope(actor)
    context = {"filters": filters, "scope": scope, **figures(scope, anchor=filters.anchor)}
    return render(request, "outcomes/dashboard.html", context)
