"""The patient's own people to call, from their relapse prevention plan ("People to call")
and their safety plan ("People I can ask for help", "Professionals"), for the crisis help
every page shows (organizations.crisis). Registered at start-up."""

from __future__ import annotations

from typing import Any

from waymark.organizations.crisis import Person, register_people
from waymark.patients.models import Patient
from waymark.plans.fields import SAFETY_CONTACT_SECTIONS
from waymark.plans.services import current_plan, current_safety_plan


def _people(contacts: list[Any]) -> list[Person]:
    return [
        Person(contact["name"], contact["phone"])
        for contact in contacts
        if isinstance(contact, dict) and contact.get("name") and contact.get("phone")
    ]


@register_people("plans")
def people_to_call(patient: Patient) -> list[Person]:
    plan = current_plan(patient)
    return _people(plan.lines("contacts")) if plan is not None else []


@register_people("safety_plan")
def safety_plan_people(patient: Patient) -> list[Person]:
    plan = current_safety_plan(patient)
    if plan is None:
        return []
    return _people([line for name in SAFETY_CONTACT_SECTIONS for line in plan.lines(name)])
