"""The alerts app's key flag in the record header (patients/hooks.py, issue 16 point 2)."""

from __future__ import annotations

from waymark.alerts.models import Severity
from waymark.alerts.panels import unresolved_of
from waymark.patients.hooks import RecordFlag, register_record_flags
from waymark.patients.models import Patient


@register_record_flags("alerts")
def open_urgent_alert(patient: Patient) -> list[RecordFlag]:
    """An urgent alert nobody has resolved yet: the first thing to know on opening the record
    (the alerts panel shows the same read)."""
    count = sum(1 for alert in unresolved_of(patient) if alert.severity >= Severity.URGENT)
    if not count:
        return []
    return [
        RecordFlag("Open urgent alert" if count == 1 else f"{count} open urgent alerts", "urgent")
    ]
