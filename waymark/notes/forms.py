"""Forms for writing notes. Each shows only the sections of the note's format."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from waymark.errors import ServiceErrorFormMixin
from waymark.notes.models import (
    DURATION_MAX,
    DURATION_MIN,
    SECTION_MAX_LENGTH,
    SECTIONS,
    ClinicalNote,
    NoteFormat,
    ServiceType,
)
from waymark.notes.services import NoteData, answerable_alerts, organization_zone
from waymark.patients.models import Patient


class NoteForm(ServiceErrorFormMixin, forms.Form):
    """The session a note is about, then the sections of a DAP or a SOAP note (empty ones
    are fine until signing). The session's date and time are read in the organization's
    time zone."""

    service_fields = {"session_at": "session_date"}

    session_date = forms.DateField(
        label="Session date", widget=forms.DateInput(attrs={"type": "date"})
    )
    session_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        error_messages={
            "min_value": f"Give the duration in minutes, from {DURATION_MIN} to {DURATION_MAX}.",
            "max_value": f"Give the duration in minutes, from {DURATION_MIN} to {DURATION_MAX}.",
        },
    )
    service_type = forms.ChoiceField(label="Service type", choices=ServiceType.choices)
    answers_alert = forms.TypedChoiceField(
        label="Answers the alert",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Signing the note acknowledges the alert you choose.",
    )

    def __init__(self, *args: Any, note_format: str, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_format, self.patient = note_format, patient
        alerts = [(alert.pk, alert.reason) for alert in answerable_alerts(patient)]
        kept = self.initial.get("answers_alert")
        if kept and kept not in dict(alerts):  # a draft's alert acknowledged since
            alerts.append((kept, "The alert this draft answers (acknowledged since)"))
        cast(forms.TypedChoiceField, self.fields["answers_alert"]).choices = [("", "None"), *alerts]
        if not self.is_bound and "session_date" not in self.initial:
            now = timezone.now().astimezone(organization_zone(patient))
            self.initial = {
                **self.initial,
                "session_date": now.date(),
                "session_time": now.time().replace(second=0, microsecond=0),
                "service_type": ServiceType.INDIVIDUAL,
            }
        for section in SECTIONS[note_format]:
            self.fields[section.field] = forms.CharField(
                label=section.label,
                help_text=section.help,
                required=False,
                max_length=SECTION_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def sections(self) -> dict[str, str]:
        fields = [section.field for section in SECTIONS[self.note_format]]
        return {field: self.cleaned_data[field] for field in fields}

    def wants_signing(self) -> bool:
        """The "Save and sign" button was pressed (not "Save draft")."""
        return "sign" in self.data

    def to_data(self) -> NoteData:
        cleaned = self.cleaned_data
        session_at = dt.datetime.combine(
            cleaned["session_date"], cleaned["session_time"], organization_zone(self.patient)
        )
        return NoteData(
            note_format=self.note_format,
            sections=self.sections(),
            session_at=session_at,
            duration_minutes=cleaned["duration_minutes"],
            service_type=cleaned["service_type"],
            answers_alert_id=cleaned["answers_alert"],
            sign=self.wants_signing(),
        )


def initial_for(note: ClinicalNote) -> dict[str, Any]:
    """A draft's values for its form: sections, and the session in the organization's zone."""
    initial: dict[str, Any] = {section.field: text for section, text in note.sections()}
    if note.session_at is not None:
        local = note.session_at.astimezone(organization_zone(note.patient))
        initial |= {"session_date": local.date(), "session_time": local.time()}
    return initial | {
        "duration_minutes": note.duration_minutes,
        "service_type": note.service_type or ServiceType.INDIVIDUAL,
        "answers_alert": note.answers_alert_id,
    }


def format_from(value: str | None) -> str:
    """The note format asked for in the address (`?format=soap`); DAP otherwise."""
    return value if value in NoteFormat.values else NoteFormat.DAP


class AddendumForm(ServiceErrorFormMixin, forms.Form):
    text = forms.CharField(
        label="Addendum",
        help_text="A correction or addition. It is signed with your name when you save it "
        "and cannot be changed afterwards.",
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
