"""The message composer: plain fields, then the same checks the API runs (services.validate)."""

from __future__ import annotations

from typing import Any

from django import forms

from waymark.errors import ServiceError, ServiceErrorFormMixin
from waymark.messaging.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from waymark.messaging.services import MessageData, validate


class MessageForm(ServiceErrorFormMixin, forms.Form):
    """A reply (body only) or, with `new_thread`, a new conversation (subject and body).
    No file field: messages carry text only."""

    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX_LENGTH, required=False)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX_LENGTH}),
        required=False,  # services.validate says what is missing, in its words
    )

    def __init__(self, *args: Any, new_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_thread = new_thread
        self.validated: MessageData | None = None
        if not new_thread:
            del self.fields["subject"]
        self.fields["body"].error_messages["max_length"] = (
            f"Keep the message under {BODY_MAX_LENGTH:,} characters."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        data = MessageData(body=cleaned.get("body") or "", subject=cleaned.get("subject") or "")
        try:
            self.validated = validate(data, new_thread=self.new_thread)
        except ServiceError as error:
            self.add_service_error(error)
        return cleaned

    def to_data(self) -> MessageData:
        assert self.validated is not None, "call is_valid() first"
        return self.validated
