from __future__ import annotations

from django import forms

from waymark.accounts.models import User
from waymark.errors import ServiceErrorFormMixin


class NewUsernameField(forms.CharField):
    """A username for a new account: letters, digits and . @ + - _ (Django's own rule, so
    "maria.lopez" works; issue 16 point 7), not taken by anyone, whatever the case."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("help_text", "Letters, digits and . @ + - _ only, e.g. maria.lopez.")
        super().__init__(max_length=150, validators=[User.username_validator], **kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> str:
        username = str(super().clean(value)).strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username {username!r} is already taken.")
        return username


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
