"""Group notes filed in a patient's record, on their timeline (staff only, like notes)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.appointments.groups import notes_for
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register


@register("group_notes")
def group_note_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            at=line.note.signed_at,
            kind="note",
            title=f"Group note: {line.note.appointment.group} by {line.note.author}",
            detail=" ".join(f"{line.line} {line.note.body}".split())[:140],
            url=reverse("appointments:patient_list", args=[patient.pk]),
        )
        for line in notes_for(patient).filter(note__signed_at__gte=since)
    ]
