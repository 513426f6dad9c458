"""Forms for the pages that work without JavaScript: the check-in, the withdrawal log,
"talk to staff now" and a note on a lapse.

Each submitting form carries an idempotency key, generated into a hidden field when the
page is rendered, so pressing "Save" twice (or re-sending after a timeout) stores once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import QueryDict

from waymark.checkins.choices import (
    AMOUNT_MAX_LENGTH,
    AS_PRESCRIBED_LABEL,
    LAPSE_NOTE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PRESCRIBED_CLASSES,
    WITHDRAWAL_SYMPTOMS,
    Habit,
    KetamineSymptom,
    Meeting,
    Mood,
    SleepQuality,
    SymptomLevel,
    Trigger,
)
from waymark.checkins.services import CheckInData, UseData, WithdrawalData
from waymark.errors import ServiceErrorFormMixin
from waymark.patients.models import Patient, Substance

ZERO_TO_TEN = [(value, str(value)) for value in range(11)]
SLEEP_HOURS_MESSAGE = "Hours of sleep: enter a number from 0 to 24, such as 7 or 7.5."
EXPIRED = "This form has expired. Please check your answers and send it again."


def _scale(label: str, choices: Any, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={
            "required": "Please choose one.",
            "invalid_choice": f"{label}: please choose one of the options shown.",
        },
    )


def _several(label: str, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Please choose from the options shown."},
    )


class KeyedForm(ServiceErrorFormMixin, forms.Form):
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": EXPIRED, "invalid": EXPIRED}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()

    def with_new_key(self) -> None:
        """Give the re-rendered form a fresh key (after a refused reuse)."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        data["idempotency_key"] = str(uuid.uuid4())
        self.data = data


class CheckInForm(KeyedForm):
    date = forms.DateField(widget=forms.HiddenInput)
    craving = _scale(
        "Craving", ZERO_TO_TEN, "0 is none at all, 10 is the strongest you can imagine."
    )
    mood = _scale("Mood", Mood.choices)
    # One message for any bad value (no stack of Django's range, digits and places ones).
    sleep_hours = forms.DecimalField(
        label="Hours of sleep last night",
        widget=forms.NumberInput(
            attrs={"step": "0.5", "min": "0", "max": "24", "inputmode": "decimal"}
        ),
        error_messages={"required": SLEEP_HOURS_MESSAGE, "invalid": SLEEP_HOURS_MESSAGE},
    )
    sleep_quality = _scale("How well did you sleep?", SleepQuality.choices)
    stress = _scale("Stress", ZERO_TO_TEN, "0 is calm, 10 is the most stressed you can imagine.")
    triggers = _several("Did you meet any of these triggers?", Trigger.choices)
    habits = _several("Things you did for yourself", Habit.choices)
    meetings = _several("Support meetings you went to", Meeting.choices)
    symptoms = _several("Any of these physical symptoms?", KetamineSymptom.choices)
    safety = forms.ChoiceField(
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer this question."},
    )
    note = forms.CharField(
        label="Private note (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        help_text="Never shared with your supporters. Your care team can read it.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        for substance in Substance:
            self.fields[f"use_{substance.value}"] = forms.BooleanField(
                label=substance.label, required=False
            )
            self.fields[f"amount_{substance.value}"] = forms.CharField(
                label=f"How much {substance.label.split(' (')[0].lower()} (optional)",
                required=False,
                max_length=AMOUNT_MAX_LENGTH,
            )
            if substance.value in PRESCRIBED_CLASSES:
                self.fields[f"prescribed_{substance.value}"] = forms.BooleanField(
                    label=AS_PRESCRIBED_LABEL,
                    required=False,
                    help_text="A medicine taken as prescribed is not a lapse.",
                )

    def clean_sleep_hours(self) -> Decimal:
        hours: Decimal = self.cleaned_data["sleep_hours"]
        if not (0 <= hours <= 24) or hours != hours.quantize(Decimal("0.1")):
            raise forms.ValidationError(SLEEP_HOURS_MESSAGE, code="out_of_range")
        return hours

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for substance in PRESCRIBED_CLASSES:
            if data.get(f"prescribed_{substance}") and not data.get(f"use_{substance}"):
                label = Substance(substance).label.split(" (")[0].lower()
                self.add_error(
                    f"prescribed_{substance}",
                    f"Please tick {label} above as well if you took it, or untick this box.",
                )
        return data

    def use_rows(self) -> list[dict[str, Any]]:
        """One row per substance: the patient's substances of concern first."""
        concerns = set(self.patient.substances)
        ordered = sorted(Substance, key=lambda s: s.value not in concerns)
        return [
            {
                "substance": substance.value,
                "use": self[f"use_{substance.value}"],
                "amount": self[f"amount_{substance.value}"],
                "prescribed": (
                    self[f"prescribed_{substance.value}"]
                    if substance.value in PRESCRIBED_CLASSES
                    else None
                ),
                "of_concern": substance.value in concerns,
            }
            for substance in ordered
        ]

    def to_data(self) -> CheckInData:
        data = self.cleaned_data
        return CheckInData(
            local_date=data["date"],
            craving=data["craving"],
            mood=data["mood"],
            sleep_hours=data["sleep_hours"],
            sleep_quality=data["sleep_quality"],
            stress=data["stress"],
            safety_concern=data["safety"] == "yes",
            uses=tuple(
                UseData(
                    substance.value,
                    data[f"amount_{substance.value}"],
                    bool(data.get(f"prescribed_{substance.value}")),
                )
                for substance in Substance
                if data[f"use_{substance.value}"]
            ),
            triggers=tuple(data["triggers"]),
            habits=tuple(data["habits"]),
            meetings=tuple(data["meetings"]),
            symptoms=tuple(data["symptoms"]),
            note=data["note"],
        )

    @classmethod
    def initial_from(cls, checkin: Any) -> dict[str, Any]:
        """The answers of a stored check-in, to change them."""
        initial = {
            name: getattr(checkin, name)
            for name in ("craving", "mood", "sleep_hours", "sleep_quality", "stress", "note")
        }
        initial |= {
            name: list(getattr(checkin, name))
            for name in ("triggers", "habits", "meetings", "symptoms")
        }
        initial["safety"] = "yes" if checkin.safety_concern else "no"
        for use in checkin.uses.all():
            initial[f"use_{use.substance}"] = True
            initial[f"amount_{use.substance}"] = use.amount
            if use.as_prescribed:
                initial[f"prescribed_{use.substance}"] = True
        return initial


def day_initial(day: dt.date) -> dict[str, Any]:
    return {"date": day}


class WithdrawalForm(KeyedForm):
    note = forms.CharField(
        label="Anything else? (optional)",
        required=False,
        max_length=LAPSE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": LAPSE_NOTE_MAX_LENGTH}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in WITHDRAWAL_SYMPTOMS:
            field = _scale(label, SymptomLevel.choices)
            field.initial = SymptomLevel.NONE
            self.fields[name] = field

    def symptom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in WITHDRAWAL_SYMPTOMS]

    def to_data(self) -> WithdrawalData:
        data = self.cleaned_data
        return WithdrawalData(
            ratings={name: data[name] for name, _ in WITHDRAWAL_SYMPTOMS}, note=data["note"]
        )


class StaffRequestForm(KeyedForm):
    pass


class LapseNoteForm(ServiceErrorFormMixin, forms.Form):
    note = forms.CharField(
        label="Your note",
        required=False,
        max_length=LAPSE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": LAPSE_NOTE_MAX_LENGTH}),
        help_text="What was going on, what helped, what you'd try next time. Only for you "
        "and your care team.",
    )


class CounterForm(ServiceErrorFormMixin, forms.Form):
    """A counter the patient keeps: which substance (when starting one), from when, and
    optionally what they used to spend a day. Every message names its field."""

    substance = forms.ChoiceField(
        label="Substance",
        choices=(),
        error_messages={
            "required": "Substance: choose one from the list.",
            "invalid_choice": "Substance: choose one from the list.",
        },
    )
    started_on = forms.DateField(
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day you count from. Changing it corrects the counter; it is not a lapse.",
        error_messages={
            "required": "Start date: enter the day you count from.",
            "invalid": "Start date: enter a date such as 2026-03-01.",
        },
    )
    amount_per_day = forms.DecimalField(
        label="Amount a day (optional)",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text="What you used to spend on it a day, to see the money you've kept. "
        "Leave it empty if you'd rather not.",
        error_messages={
            "invalid": "Amount a day: enter a number, such as 12.50.",
            "min_value": "Amount a day: enter 0 or more.",
            "max_digits": "Amount a day: enter an amount under 100,000.",
            "max_whole_digits": "Amount a day: enter an amount under 100,000.",
            "max_decimal_places": "Amount a day: use at most 2 decimal places.",
        },
    )

    def __init__(
        self, *args: Any, substances: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if substances is None:
            del self.fields["substance"]  # changing an existing counter
        else:
            cast(forms.ChoiceField, self.fields["substance"]).choices = [
                ("", "Choose…"),
                *substances,
            ]
