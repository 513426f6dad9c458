from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.conftest import actor
from waymark.notes.models import ClinicalNote
from waymark.notes.services import add_addendum
from waymark.patients.timeline import events_for, providers


def test_it_registers_a_notes_provider() -> None:
    assert "notes" in providers()


def test_it_puts_signed_notes_and_addenda_on_the_timeline_but_not_drafts(
    signed: ClinicalNote, draft: ClinicalNote, bob: User
) -> None:
    addendum = add_addendum(actor(bob), signed, "Correction: 45 minutes.")
    since = timezone.now() - dt.timedelta(days=1)
    events = [event for event in events_for(signed.patient, since) if event.kind == "note"]
    detail = reverse("notes:detail", args=[signed.patient_id, signed.pk])
    assert [(event.title, event.url) for event in events] == [
        (
            f"Addendum by Bob to the DAP note of {signed.created_at:%Y-%m-%d}",
            f"{detail}#addendum-{addendum.pk}",
        ),
        ("DAP note signed by Bob", detail),
    ]
    assert events[1].at == signed.signed_at
    assert events[1].detail.startswith("Engaged")


def test_it_leaves_out_notes_signed_before_the_window(signed: ClinicalNote) -> None:
    later = timezone.now() + dt.timedelta(minutes=1)
    assert [e for e in events_for(signed.patient, later) if e.kind == "note"] == []
