"""Alerts on the patient timeline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.alerts.models import Alert
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register


@register("alerts")
def alert_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    alerts = Alert.objects.filter(
        organization_id=patient.organization_id, patient=patient, created_at__gte=since
    )
    return [
        TimelineEvent(
            at=alert.created_at,
            kind="alert",
            title=f"{alert.get_severity_display()} alert: {alert.reason}",
            detail=f"{alert.get_status_display()}"
            + (f" — {alert.resolution_note}" if alert.resolution_note else ""),
            url=reverse("alerts:detail", args=[alert.pk]),
            severity=alert.severity,
        )
        for alert in alerts
    ]
