from __future__ import annotations

from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Device name",
        help_text="So you can recognise it later, e.g. “My phone”.",
    )

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Give the device a name.")
        return name
