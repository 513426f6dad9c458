from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.accounts.models import User
from waymark.conftest import TODAY, actor
from waymark.medications.models import PrescribedFor
from waymark.medications.services import MedicationData, add_medication
from waymark.patients.models import Patient
from waymark.patients.timeline import events_for, providers


def test_it_puts_medication_starts_and_stops_on_the_timeline(alice: Patient, bob: User) -> None:
    add_medication(
        actor(bob),
        alice,
        MedicationData(
            name="Diazepam",
            dose="5 mg",
            started_on=TODAY - dt.timedelta(days=10),
            stopped_on=TODAY - dt.timedelta(days=3),
            prescribed_for=PrescribedFor.WITHDRAWAL,
        ),
    )
    add_medication(actor(bob), alice, MedicationData(name="Sertraline", started_on=None))
    add_medication(
        actor(bob),
        alice,
        MedicationData(name="Acamprosate", started_on=TODAY - dt.timedelta(days=90)),
    )
    since = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    events = [e for e in events_for(alice, since) if e.kind == "medication"]
    assert [(e.title, e.at.date(), e.detail) for e in events] == [
        ("Stopped Diazepam", TODAY - dt.timedelta(days=3), "Withdrawal symptoms"),
        ("Started Diazepam 5 mg", TODAY - dt.timedelta(days=10), "Withdrawal symptoms"),
    ]
    assert events[0].url == reverse("medications:list", args=[alice.pk])
    assert "medications" in providers()
