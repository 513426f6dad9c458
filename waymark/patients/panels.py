"""The patient record (clinicians) and the patient's home are assembled from panels that
apps register, like the timeline's providers.

An app registers its panels in its own `panels.py`, found at start-up by
`PatientsConfig.ready` (`autodiscover_modules("panels")`):

    @register_panel("checkins_home", order=10, where={HOME}, template="checkins/_home_panel.html")
    def checkins_home(request, patient) -> dict[str, Any]:
        return {...}  # reads only

The page's view calls `panels_for(where, request, patient)`, which builds each panel's
context, and the page renders them in order (`{% render_panel panel %}` from this app's
`panels` tag library). So the core pages load no feature app's tag library, and the core
apps import no feature app.

Rendering never writes. A panel that has something to record when it is shown (a
milestone celebrated once) names a `record` step: it runs in the view, after every panel's
reads and before any template is rendered, and returns what the template shows of it.

A record panel registered `lazy=True` (with its `title`) is not built with the page (issue
13 point 4: the record runs a small, constant number of queries): the page shows a
placeholder that htmx replaces with the panel once it is in view (`patients:panel`, its own
request, with the same capability, organization scoping and audited read as the record),
and without JavaScript a link "Show …" that opens the panel on a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from waymark.access import Capability, actor_for, can
from waymark.audit.models import AuditObject
from waymark.patients.models import Patient
from waymark.registries import Registry

RECORD = "record"  # the clinician's patient record (patients:detail)
HOME = "home"  # the patient's own home (patients:me)
HELP = "help"  # the help page, when a patient is signed in (issue 14: reach out)
PLACES = frozenset({RECORD, HOME, HELP})

Context = dict[str, Any]
Builder = Callable[[HttpRequest, Patient], Context]
Recorder = Callable[[HttpRequest, Patient, Context], Context]


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    where: frozenset[str]
    template: str
    build: Builder
    record: Recorder | None = None
    lazy: bool = False
    title: str = ""
    shown_to: Capability | None = None
    audit_object: AuditObject = AuditObject.PATIENT

    def shown(self, request: HttpRequest) -> bool:
        """Whether the reader may see this panel at all (`shown_to`)."""
        return self.shown_to is None or can(actor_for(request), self.shown_to)


LAZY_TEMPLATE = "patients/_lazy_panel.html"


@dataclass(frozen=True)
class ShownPanel:
    """A panel ready to render: its template and its context (a lazy panel's placeholder:
    `LAZY_TEMPLATE` with the panel's name and title)."""

    name: str
    template: str
    context: Context


_panels: Registry[Panel] = Registry()


def register_panel(
    name: str,
    *,
    order: int,
    where: Iterable[str],
    template: str,
    record: Recorder | None = None,
    lazy: bool = False,
    title: str = "",
    shown_to: Capability | None = None,
    audit_object: AuditObject = AuditObject.PATIENT,
) -> Callable[[Builder], Builder]:
    """Register `build(request, patient) -> context` (reads only) as a panel shown on the
    pages in `where` (RECORD, HOME, HELP), in `order` (lowest first). `lazy`: a record
    panel loaded after the page, in its own request (`title` names it in the placeholder).
    `shown_to`: only those who may do this see the panel (nor its placeholder).
    `audit_object`: what a lazy panel's own read is audited as, in the patient's words
    ("your check-ins"), so reading the record panel by panel names what was read."""
    places = frozenset(where)
    if not places or not places <= PLACES:
        raise ValueError(f"Panel {name!r}: `where` must be some of {sorted(PLACES)}.")
    if lazy and (places != {RECORD} or not title):
        raise ValueError(f"Panel {name!r}: only a record panel with a title can be lazy.")

    def decorator(build: Builder) -> Builder:
        panel = Panel(
            name, order, places, template, build, record, lazy, title, shown_to, audit_object
        )
        _panels.add(name, panel)
        return build

    return decorator


def panels() -> list[Panel]:
    return sorted(_panels, key=lambda panel: (panel.order, panel.name))


def lazy_panel(name: str, request: HttpRequest) -> Panel | None:
    """The record panel `name` if it is loaded on its own (`lazy=True`) and the reader may
    see it, else None."""
    panel = _panels.get(name)
    return panel if panel is not None and panel.lazy and panel.shown(request) else None


def _placeholder(panel: Panel, patient: Patient) -> ShownPanel:
    context = {"lazy_panel": panel, "patient_id": patient.pk}
    return ShownPanel(panel.name, LAZY_TEMPLATE, context)


def panels_for(where: str, request: HttpRequest, patient: Patient) -> list[ShownPanel]:
    """Every panel of one page, built: the reads of all, then the records of those that
    have one; a lazy panel only as its placeholder. Callers have already checked access
    (and audited the read)."""
    chosen = [panel for panel in panels() if where in panel.where and panel.shown(request)]
    built = build_panels([panel for panel in chosen if not panel.lazy], request, patient)
    shown = {panel.name: panel for panel in built}
    return [shown.get(panel.name) or _placeholder(panel, patient) for panel in chosen]


def build_panels(chosen: list[Panel], request: HttpRequest, patient: Patient) -> list[ShownPanel]:
    """Build `chosen`: the reads of all, then the records of those that have one."""
    contexts = [panel.build(request, patient) for panel in chosen]
    for panel, context in zip(chosen, contexts, strict=True):
        if panel.record is not None:
            context.update(panel.record(request, patient, context))
    return [
        ShownPanel(panel.name, panel.template, context)
        for panel, context in zip(chosen, contexts, strict=True)
    ]
