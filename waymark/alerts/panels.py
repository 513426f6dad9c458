"""What the alerts app adds to the patient pages (patients/panels.py, patients/hooks.py):
the open alerts on the patient record, and on each row of the caseload."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.alerts.markup import alert_state
from waymark.alerts.models import Alert, AlertStatus
from waymark.patients.hooks import register_caseload_rows
from waymark.patients.models import Patient
from waymark.patients.panels import RECORD, register_panel


def unresolved_by_patient(patients: list[Patient]) -> dict[object, list[Alert]]:
    """The unresolved alerts of some patients, most severe first (one query)."""
    by_patient: dict[object, list[Alert]] = {}
    for alert in (
        Alert.objects.filter(patient__in=[p.pk for p in patients])
        .exclude(status=AlertStatus.RESOLVED)
        .select_related("acknowledged_by")
        .order_by("-severity", "-last_seen_at")
    ):
        by_patient.setdefault(alert.patient_id, []).append(alert)
    return by_patient


@register_caseload_rows("alerts")
def attach_alerts(patients: list[Patient]) -> None:
    """Set `unresolved_alerts`, `new_alerts` and `alert_states` (each alert's state as HTML,
    markup.alert_state) on a page of the caseload."""
    by_patient = unresolved_by_patient(patients)
    for patient in patients:
        alerts = by_patient.get(patient.pk, [])
        patient.unresolved_alerts = alerts  # type: ignore[attr-defined]
        patient.new_alerts = [a for a in alerts if a.status == AlertStatus.OPEN]  # type: ignore[attr-defined]
        patient.alert_states = [alert_state(alert) for alert in alerts]  # type: ignore[attr-defined]


def unresolved_of(patient: Patient) -> list[Alert]:
    """The patient's unresolved alerts, most severe first: read once for the record's header
    flag and its alerts panel (kept on this Patient, which lives as long as the request)."""
    if not hasattr(patient, "unresolved_alerts"):
        attach_alerts([patient])
    return patient.unresolved_alerts  # type: ignore[attr-defined]


@register_panel("alerts", order=10, where={RECORD}, template="alerts/_patient_panel.html")
def alerts_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"alerts": unresolved_of(patient)}
