"""The patient's supporters who gave a phone number are among their own people to call,
in every crisis box (organizations.crisis), beside those of their plan."""

from __future__ import annotations

from waymark.organizations.crisis import Person, register_people
from waymark.patients.models import Patient
from waymark.support.models import SupporterLink


@register_people("support")
def supporters_to_call(patient: Patient) -> list[Person]:
    links = SupporterLink.objects.filter(
        organization_id=patient.organization_id, patient=patient
    ).exclude(phone="")
    return [Person(link.name, link.phone) for link in links]
