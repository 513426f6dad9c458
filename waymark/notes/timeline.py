"""Signed notes and addenda on the patient timeline (drafts are not events yet)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register


@register("notes")
def note_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    notes = ClinicalNote.objects.filter(
        organization_id=patient.organization_id, patient=patient, signed_at__gte=since
    ).select_related("author")
    addenda = NoteAddendum.objects.filter(
        organization_id=patient.organization_id, patient=patient, signed_at__gte=since
    ).select_related("author", "note")
    events = [
        TimelineEvent(
            at=note.signed_at,
            kind="note",
            title=f"{note.format_short} note signed by {note.author}",
            detail=note.summary(),
            url=reverse("notes:detail", args=[patient.pk, note.pk]),
        )
        for note in notes
        if note.signed_at is not None
    ]
    events += [
        TimelineEvent(
            at=addendum.signed_at,
            kind="note",
            title=f"Addendum by {addendum.author} to the "
            f"{addendum.note.format_short} note of {addendum.note.created_at:%Y-%m-%d}",
            detail=" ".join(addendum.text.split())[:140],
            url=reverse("notes:detail", args=[patient.pk, addendum.note_id])
            + f"#addendum-{addendum.pk}",
        )
        for addendum in addenda
    ]
    return events
