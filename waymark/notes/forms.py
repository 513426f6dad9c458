"""Forms for writing notes. Each shows only the sections of the note's format."""

from __future__ import annotations

from typing import Any

from django import forms

from waymark.errors import ServiceErrorFormMixin
from waymark.notes.models import SECTION_MAX_LENGTH, SECTIONS, NoteFormat


class NoteForm(ServiceErrorFormMixin, forms.Form):
    """The sections of a DAP or a SOAP note; empty ones are fine until signing."""

    def __init__(self, *args: Any, note_format: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_format = note_format
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
