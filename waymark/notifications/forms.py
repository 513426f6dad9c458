from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms

from waymark.notifications.models import NotificationPreference

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


class PreferenceForm(forms.ModelForm):
    """Channels, reminder time and quiet hours; the patient's time zone rides along."""

    timezone = forms.ChoiceField(
        label="Your time zone", choices=timezone_choices, required=False,
        help_text="Reminders and your daily check-in follow this time zone.",
    )  # fmt: skip

    class Meta:
        model = NotificationPreference
        fields = ["reminders_enabled", "reminder_time", "email_enabled", "quiet_start", "quiet_end"]
        widgets = {
            "reminder_time": TIME_WIDGET,
            "quiet_start": TIME_WIDGET,
            "quiet_end": TIME_WIDGET,
        }
        help_texts = {
            "email_enabled": "E-mails never name a substance, a score or a diagnosis.",
            "quiet_start": "No reminders or e-mails between these times (leave both empty).",
        }

    def __init__(self, *args: Any, is_patient: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_patient:
            for name in ("reminders_enabled", "reminder_time", "timezone"):
                del self.fields[name]
