"""Issue 18 point 4: alert accountability — how fast alerts were seen and closed.

Counted: alerts *raised* in the period about the patients the viewer may see. An alert
belongs to the program the patient was in on the day it was raised (in the
organization's time zone); none when they were in no program then.

- Time to acknowledge: raised → first acknowledged; time to resolve: raised → resolved.
  Alerts not yet acknowledged (or resolved) have no time and are counted as still open.
- Median and 90th percentile by the nearest-rank method: the ⌈p·n⌉-th smallest time
  (Hyndman & Fan 1996, definition 1), taken in SQL with a ROW_NUMBER() window.
- Escalated: the alert was escalated to the clinicians on call at least once.
- Resolved without a note: resolved with an empty resolution note (Waymark now asks for
  one; older alerts and automatic closes may have none).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber, TruncDate

from waymark.alerts.models import Alert, Severity
from waymark.organizations.models import Organization, Program
from waymark.outcomes.scope import Scope, days_between, matching_stays

PERCENTS = (50, 90)


@dataclass
class AlertRow:
    program: str  # "" for the whole organization
    severity: int
    raised: int = 0
    acknowledged: int = 0
    resolved: int = 0
    escalated: int = 0
    repeats: int = 0
    resolved_without_note: int = 0
    to_acknowledge: dict[int, dt.timedelta] = field(default_factory=dict)
    to_resolve: dict[int, dt.timedelta] = field(default_factory=dict)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)


def raised_alerts(scope: Scope) -> QuerySet[Any]:
    """Alerts raised in the period, each with the program the patient was in that day."""
    organization = Organization.objects.only("timezone").get(pk=scope.organization_id)
    zone = zoneinfo.ZoneInfo(organization.timezone)
    raised_on = OuterRef("raised_on")
    stay = matching_stays(scope).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=raised_on),
        patient_id=OuterRef("patient_id"), started_on__lte=raised_on,
    ).order_by("-started_on")  # fmt: skip
    start = dt.datetime.combine(scope.start, dt.time.min, zone)
    end = dt.datetime.combine(scope.end, dt.time.max, zone)
    alerts = Alert.objects.filter(
        organization_id=scope.organization_id, patient__in=scope.patients.values("pk"),
        created_at__gte=start, created_at__lte=end,
    ).annotate(raised_on=TruncDate("created_at", tzinfo=zone))  # fmt: skip
    alerts = alerts.annotate(program_id=Subquery(stay.values("program_id")[:1]))
    if scope.program_id is not None or scope.level or scope.clinician_id is not None:
        alerts = alerts.filter(program_id__isnull=False)
    return alerts


def _percentiles(
    alerts: QuerySet[Any], until: str, by: list[str]
) -> dict[tuple[int | None, ...], dict[int, dt.timedelta]]:
    """{group: {50: median, 90: 90th percentile}} of `until − created_at`, nearest rank."""
    partition = [F(name) for name in by]
    ranked = (
        alerts.filter(**{f"{until}__isnull": False})
        .annotate(
            took=days_between(until, "created_at"),
            rank=Window(RowNumber(), partition_by=partition, order_by=F("took").asc()),
            n=Window(Count("pk"), partition_by=partition),
        )
        .annotate(rank_x100=F("rank") * 100, below_x100=(F("rank") - 1) * 100)
    )
    wanted = Q()
    for percent in PERCENTS:  # the ⌈p·n⌉-th: rank ≥ p·n > rank − 1
        wanted |= Q(rank_x100__gte=F("n") * percent, below_x100__lt=F("n") * percent)
    found: dict[tuple[int | None, ...], dict[int, dt.timedelta]] = {}
    for *group, rank, n, took in ranked.filter(wanted).values_list(*by, "rank", "n", "took"):
        for percent in PERCENTS:
            if rank * 100 >= n * percent > (rank - 1) * 100:
                found.setdefault(tuple(group), {})[percent] = took
    return found


def alert_accountability(scope: Scope) -> list[AlertRow]:
    """One row per program and severity, then one per severity for the whole organization."""
    alerts = raised_alerts(scope)
    counts = (
        alerts.order_by()
        .values("program_id", "severity")
        .annotate(
            raised=Count("pk"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            repeats=Sum(F("occurrences") - 1),
            resolved_without_note=Count(
                "pk", filter=Q(resolved_at__isnull=False, resolution_note="")
            ),
        )
    )
    names = dict(
        Program.objects.filter(organization_id=scope.organization_id).values_list("pk", "name")
    )
    rows: dict[tuple[int | None, int], AlertRow] = {}
    overall: dict[int, AlertRow] = {}
    for entry in counts:
        key = (entry["program_id"], entry["severity"])
        rows[key] = row = AlertRow(names.get(entry["program_id"], "No program"), entry["severity"])
        total = overall.setdefault(entry["severity"], AlertRow("", entry["severity"]))
        for name in ("raised", "acknowledged", "resolved", "escalated", "repeats",
                     "resolved_without_note"):  # fmt: skip
            setattr(row, name, entry[name] or 0)
            setattr(total, name, getattr(total, name) + (entry[name] or 0))
    if not rows:
        return []
    for until, attribute in (("acknowledged_at", "to_acknowledge"), ("resolved_at", "to_resolve")):
        for (program_id, severity), values in _percentiles(
            alerts, until, ["program_id", "severity"]
        ).items():
            setattr(rows[(program_id, severity)], attribute, values)  # type: ignore[index]
        for (severity,), values in _percentiles(alerts, until, ["severity"]).items():
            setattr(overall[severity], attribute, values)  # type: ignore[index]
    ordered = sorted(rows.values(), key=lambda row: (row.program, -row.severity))
    return ordered + sorted(overall.values(), key=lambda row: -row.severity)
