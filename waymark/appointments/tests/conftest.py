"""Helpers for the appointments tests: every test runs on the frozen clock (NOW, 3 pm in
New York on TODAY, waymark/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from waymark.accounts.models import User
from waymark.appointments.models import Appointment, AppointmentKind, Group, GroupMember
from waymark.patients.models import Patient


@pytest.fixture(autouse=True)
def _on_the_frozen_clock(frozen: time_machine.Traveller) -> None:
    """Each test starts at NOW."""


def stored_appointment(
    patient: Patient, clinician: User, *, hours_from_now: float = 24, minutes: int = 50,
    kind: str = AppointmentKind.INDIVIDUAL,
) -> Appointment:  # fmt: skip
    return Appointment.objects.create(
        organization=patient.organization, kind=kind, patient=patient, clinician=clinician,
        starts_at=timezone.now() + dt.timedelta(hours=hours_from_now), minutes=minutes,
        place="Room 2", created_by=clinician,
    )  # fmt: skip


def stored_group(facilitator: User, *members: Patient, name: str = "IOP Mon/Wed/Fri") -> Group:
    organization = members[0].organization
    group, _ = Group.objects.get_or_create(
        organization=organization, name=name, defaults={"facilitator": facilitator}
    )
    for patient in members:
        GroupMember.objects.get_or_create(organization=organization, group=group, patient=patient)
    return group


def stored_session(group: Group, *, hours_from_now: float = -1) -> Appointment:
    return Appointment.objects.create(
        organization=group.organization, kind=AppointmentKind.GROUP, group=group,
        clinician=group.facilitator, starts_at=timezone.now() + dt.timedelta(hours=hours_from_now),
        minutes=90, place="Group room", created_by=group.facilitator,
    )  # fmt: skip
