"""What the support app adds to the patient's home (reach out, my supporters) and to the
clinician's record (the patient's consents: active, expired, revoked)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from waymark.audit.models import AuditObject
from waymark.patients.models import Patient
from waymark.patients.panels import HELP, HOME, RECORD, register_panel
from waymark.rights.models import AccountClosure
from waymark.support.access import status_of
from waymark.support.models import ExpiryKind, SupporterLink
from waymark.support.services import consents_of


@register_panel("support_home", order=15, where={HOME, HELP}, template="support/_home_panel.html")
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    count = SupporterLink.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).count()
    return {"count": count, "can_reach_out": bool(count)}


@register_panel(
    "support_record",
    order=60,
    where={RECORD},
    template="support/_record_panel.html",
    lazy=True,
    audit_object=AuditObject.SUPPORTER_CONSENTS,
    title="Consents to share with supporters",
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The record view has already audited the read."""
    now = timezone.now()
    consents = list(consents_of(patient))
    closed = any(c.expiry_kind == ExpiryKind.ACCOUNT_CLOSED for c in consents) and (
        AccountClosure.objects.filter(patient=patient).exists()
    )
    return {"consents": [(c, status_of(c, now, account_closed=closed)) for c in consents]}
