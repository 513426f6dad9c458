"""The patient's own people to call, from their relapse prevention plan ("People to call"),
for the crisis help every page shows (organizations.crisis). Registered at start-up."""

from __future__ import annotations

from waymark.organizations.crisis import Person, register_people
from waymark.patients.models import Patient
from waymark.plans.services import current_plan


@register_people("plans")
def people_to_call(patient: Patient) -> list[Person]:
    plan = current_plan(patient)
    if plan is None:
        return []
    return [
        Person(contact["name"], contact["phone"])
        for contact in plan.lines("contacts")
        if isinstance(contact, dict) and contact.get("name") and contact.get("phone")
    ]
