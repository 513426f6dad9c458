"""Forms: the relapse prevention plan and the safety plan (one textarea per section, one item
per line) and a coping-tool use."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from waymark.plans.fields import (
    MAX_FIELD_CHARS,
    MAX_LINE_CHARS,
    MAX_LINES,
    SAFETY_CONTACT_SECTIONS,
    SAFETY_SECTIONS,
    SECTIONS,
    Section,
)
from waymark.plans.models import CopingTool

PHONE = re.compile(r"^\+?[0-9()][0-9 ()\-.]*$")


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_contact(line: str) -> dict[str, str]:
    """ "Sam, 555-0100" → {"name": "Sam", "phone": "555-0100"}; ValidationError if not."""
    cut = max(line.rfind(","), line.rfind(":"))
    name, phone = (line[:cut].strip(), line[cut + 1 :].strip()) if cut >= 0 else ("", "")
    digits = sum(char.isdigit() for char in phone)
    if not name or not phone:
        raise forms.ValidationError(
            f'"{line}": write a name, a comma, then the phone number (e.g. "Sam, 555-0100").'
        )
    if not PHONE.match(phone) or not 3 <= digits <= 15:
        raise forms.ValidationError(
            f'"{phone}" is not a phone number: use digits, spaces, dashes, brackets and an '
            "optional + (3 to 15 digits)."
        )
    return {"name": name, "phone": phone}


class SectionsForm(forms.Form):
    """A plan's form: one optional textarea per section, each with a length and a line
    limit; the contact sections hold "name, number" lines."""

    sections: tuple[Section, ...] = ()
    contact_sections: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in self.sections:
            self.fields[section.name] = forms.CharField(
                label=section.label,
                help_text=section.help,
                required=False,
                max_length=MAX_FIELD_CHARS,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for section in self.sections:
            if section.name not in cleaned:
                continue
            lines = split_lines(cleaned[section.name])
            if len(lines) > MAX_LINES:
                self.add_error(section.name, f"Please keep this to {MAX_LINES} lines or fewer.")
            elif any(len(line) > MAX_LINE_CHARS for line in lines):
                self.add_error(
                    section.name, f"Please keep each line under {MAX_LINE_CHARS} characters."
                )
            elif section.name in self.contact_sections:
                self._check_contacts(section.name, lines)
        return cleaned

    def _check_contacts(self, name: str, lines: list[str]) -> None:
        errors = []
        for line in lines:
            try:
                parse_contact(line)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            self.add_error(name, errors)

    def content(self) -> dict[str, Any]:
        """The plan as stored: section → lines; contacts as name/phone pairs."""
        content: dict[str, Any] = {
            s.name: split_lines(self.cleaned_data[s.name]) for s in self.sections
        }
        for name in self.contact_sections:
            content[name] = [parse_contact(line) for line in content[name]]
        return content


class PlanForm(SectionsForm):
    sections = SECTIONS
    contact_sections = ("contacts",)


class SafetyPlanForm(SectionsForm):
    sections = SAFETY_SECTIONS
    contact_sections = SAFETY_CONTACT_SECTIONS


def as_initial(content: dict[str, Any]) -> dict[str, str]:
    """A stored plan back into the form's text (contacts as "name, number" lines)."""
    return {
        name: "\n".join(
            f"{line['name']}, {line['phone']}" if isinstance(line, dict) else str(line)
            for line in lines
        )
        for name, lines in content.items()
    }


CRAVING_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(11)]


class CopingUseForm(forms.Form):
    tool = forms.ChoiceField(choices=CopingTool.choices)
    craving_before = forms.TypedChoiceField(
        choices=CRAVING_CHOICES, coerce=int, empty_value=None, required=False,
        label="Craving before (0–10)",
    )  # fmt: skip
    craving_after = forms.TypedChoiceField(
        choices=CRAVING_CHOICES, coerce=int, empty_value=None, required=False,
        label="Craving now (0–10)",
    )  # fmt: skip
