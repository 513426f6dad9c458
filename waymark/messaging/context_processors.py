from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from waymark.access import Capability, actor_for, can, visible_patients
from waymark.messaging.services import unread_for_patient, unread_for_staff


def unread(request: HttpRequest) -> dict[str, object]:
    """Unread messages for the navigation's badge: from the care team for a patient, from
    patients for a clinician."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"unread_messages": 0}
    actor = actor_for(request)

    def count() -> int:
        if can(actor, Capability.MESSAGE_CARE_TEAM):
            patient = actor.own_record or visible_patients(actor).first()
            return unread_for_patient(patient) if patient else 0
        return unread_for_staff(actor)

    # Counted only if the page shows the badge: a record panel's fragment does not.
    return {"unread_messages": SimpleLazyObject(count)}
