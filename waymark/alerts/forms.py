from __future__ import annotations

from typing import Any

from django import forms

from waymark.access import Capability, roles_with
from waymark.accounts.models import User
from waymark.organizations.models import Organization

NOTE = forms.CharField(
    max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note"
)


class AcknowledgeForm(forms.Form):
    note = NOTE


class ResolveForm(forms.Form):
    note = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was done",
        error_messages={"required": "Say in a note what was done before resolving the alert."},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="Assign to")
    note = NOTE

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__organization=organization,
            memberships__role__in=roles_with(Capability.ACT_ON_ALERTS),
            memberships__is_active=True,
        ).order_by("first_name", "username")


class InboxFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("active", "Needs action"), ("resolved", "Resolved")], required=False
    )
    mine = forms.BooleanField(required=False, label="Assigned to me")
