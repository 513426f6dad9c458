from __future__ import annotations

from django import forms

from waymark.errors import ServiceErrorFormMixin


class LegalHoldForm(ServiceErrorFormMixin, forms.Form):
    hold = forms.BooleanField(label="Keep this record under a legal hold", required=False)
    reason = forms.CharField(
        label="What the hold is for",
        max_length=300,
        required=False,
        help_text="A case or matter reference; not the patient's name.",
    )


class EraseForm(ServiceErrorFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the patient's data will be deleted for good",
        error_messages={"required": "Tick the box to confirm the erasure."},
    )
