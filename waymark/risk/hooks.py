"""What the risk engine adds to the core's workflows (patients.hooks): a reassessment after
every care transition, in its transaction, and the organization's watch after discharge."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from waymark.patients.hooks import provide_watch_days, transition_made
from waymark.patients.models import Patient
from waymark.risk.services import reassess, settings_for


@receiver(transition_made, dispatch_uid="risk.reassess_after_transition")
def reassess_after_transition(sender: Any, *, patient: Patient, **kwargs: Any) -> None:
    reassess(patient)


@provide_watch_days
def transition_days(organization_id: int) -> int:
    return settings_for(organization_id).transition_days
