"""Messages on the patient's home (unread count) and on the clinician's record (the
conversations, their unread count and a composer to write to the patient)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waymark.access import Capability, actor_for, can
from waymark.audit.models import AuditObject
from waymark.messaging.forms import MessageForm
from waymark.messaging.services import threads_of, threads_with_unread, unread_for_patient
from waymark.patients.models import Patient
from waymark.patients.panels import HOME, RECORD, register_panel


@register_panel("messaging_home", order=12, where={HOME}, template="messaging/_home_panel.html")
def home_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    return {"unread": unread_for_patient(patient)}


@register_panel(
    "messaging_record",
    order=25,
    where={RECORD},
    template="messaging/_record_panel.html",
    lazy=True,
    audit_object=AuditObject.MESSAGES,
    title="Messages",
    shown_to=Capability.MESSAGE_PATIENTS,
)
def record_panel(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Only for those who may message patients (an organization admin sees nothing here)."""
    if not can(actor_for(request), Capability.MESSAGE_PATIENTS):
        return {"can_read": False}
    threads = threads_with_unread(threads_of(patient)[:5], from_patient=True)
    return {
        "can_read": True,
        "patient": patient,
        "threads": threads,
        "unread": sum(getattr(t, "unread", 0) for t in threads),
        "form": MessageForm(new_thread=True, auto_id="message_%s"),
    }
