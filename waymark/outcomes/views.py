"""The organization's outcomes dashboard (issue 18)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.access import Capability, actor_for, capability_required
from waymark.audit.models import AuditObject
from waymark.audit.services import record_export
from waymark.outcomes.dashboard import figures
from waymark.outcomes.exports import TABLES, research_rows, table_rows, to_csv
from waymark.outcomes.forms import OutcomesFilter
from waymark.outcomes.missed import with_names
from waymark.outcomes.scope import reporting


@require_GET
@capability_required(Capability.VIEW_OUTCOMES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aggregate figures over the patients the viewer may see; only the list of missed and
    unreviewed questionnaires names patients, and audits each one it names."""
    actor = actor_for(request)
    assert actor.organization is not None
    filters = OutcomesFilter(request.GET, organization=actor.organization)
    scope = filters.scope(actor)
    context = {"filters": filters, "scope": scope, **figures(scope, anchor=filters.lapse_anchor)}
    context["missed"] = with_names(actor, scope, context.pop("missed_counts"))
    return render(request, "outcomes/dashboard.html", context)


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_GET
@capability_required(Capability.VIEW_OUTCOMES)
def export_table(request: HttpRequest, table: str) -> HttpResponse:
    """One of the dashboard's tables as CSV, for the same filters; small numbers hidden."""
    if table not in TABLES:
        raise Http404("No such table.")
    actor = actor_for(request)
    assert actor.organization is not None
    filters = OutcomesFilter(request.GET, organization=actor.organization)
    header, rows = table_rows(filters.scope(actor), table, filters.lapse_anchor)
    return _csv(to_csv(header, rows), f"outcomes-{table}")


@require_GET
@capability_required(Capability.VIEW_OUTCOMES)
def export_research(request: HttpRequest) -> HttpResponse:
    """One de-identified row per patient counted; each patient in it is audited."""
    actor = actor_for(request)
    assert actor.organization is not None
    filters = OutcomesFilter(request.GET, organization=actor.organization)
    with reporting():
        header, rows, people = research_rows(filters.scope(actor))
        record_export(actor, people, object_type=AuditObject.OUTCOMES_RESEARCH_EXPORT)
    return _csv(to_csv(header, rows), "outcomes-deidentified")
