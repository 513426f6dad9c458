"""The patient's forms: invite a supporter, sign a consent, reach out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from waymark.errors import ServiceErrorFormMixin
from waymark.support.models import ExpiryKind, Relationship, Scope
from waymark.support.services import DEFAULT_PURPOSE, ConsentData, InviteData


class InviteForm(ServiceErrorFormMixin, forms.Form):
    name = forms.CharField(label="Their name", max_length=80)
    relationship = forms.ChoiceField(
        label="How you know them", choices=Relationship.choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label="Their e-mail",
        help_text='We send only "someone has invited you to support them in Waymark": '
        "nothing about your care.",
    )
    phone = forms.CharField(
        label="Their phone (optional)",
        max_length=30,
        required=False,
        help_text="So you can call them from the help page.",
    )

    def to_data(self) -> InviteData:
        return InviteData(**self.cleaned_data)


class ConsentForm(ServiceErrorFormMixin, forms.Form):
    scopes = forms.MultipleChoiceField(
        label="What may be shared",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the service explains an empty choice in plain words
        help_text="Nothing is ticked until you tick it. Your notes, your answers and "
        "anything you write for your care team are never shared.",
    )
    how_to_help = forms.CharField(
        label="How you can help me",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Shown only if you tick "How you can help me" above.',
    )
    purpose = forms.CharField(label="Why you are sharing", max_length=300, initial=DEFAULT_PURPOSE)
    expiry_kind = forms.ChoiceField(
        label="This consent ends",
        choices=ExpiryKind.choices,
        widget=forms.RadioSelect,
        initial=ExpiryKind.DATE,
    )
    expires_on = forms.DateField(
        label="End date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    agreed = forms.BooleanField(
        label="I have read what this consent says and I agree to it.", required=False
    )
    signature = forms.CharField(label="Type your full name to sign", max_length=160)
    # The consent being changed, when the patient came from "Change what I share": if it
    # has ended meanwhile (revoked in another tab), signing says so instead of reviving it.
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = today + dt.timedelta(days=365)

    def to_data(self) -> ConsentData:
        data = self.cleaned_data
        return ConsentData(
            scopes=list(data["scopes"]),
            expiry_kind=data["expiry_kind"],
            expires_on=data.get("expires_on"),
            signature=data["signature"],
            purpose=data["purpose"],
            how_to_help=data.get("how_to_help", ""),
            agreed=bool(data.get("agreed")),
            replaces=data.get("replaces"),
        )


class ReachOutForm(ServiceErrorFormMixin, forms.Form):
    phone = forms.CharField(
        label="A number they can call you on (optional)", max_length=30, required=False
    )
