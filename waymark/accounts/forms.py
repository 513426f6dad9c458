from __future__ import annotations

from django import forms

from waymark.errors import ServiceErrorFormMixin


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Name of the app or device",
        help_text="So you can recognise it later, e.g. “My phone”.",
    )

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Give the device a name.")
        return name


class CodeForm(ServiceErrorFormMixin, forms.Form):
    """The sign-in's second step: one field, a code from the authenticator app (or a
    recovery code)."""

    code = forms.CharField(
        max_length=32,
        label="Code",
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your e-mail address")
