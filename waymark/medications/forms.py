"""The medication form: plain fields, then the same checks the API runs (services.validate)."""

from __future__ import annotations

from typing import Any

from django import forms

from waymark.errors import ServiceError, ServiceErrorFormMixin
from waymark.medications.models import (
    DETAIL_MAX_LENGTH,
    DOSE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    DrugClass,
    Medication,
    PrescribedFor,
)
from waymark.medications.services import MedicationData, validate
from waymark.patients.models import Patient

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MedicationForm(ServiceErrorFormMixin, forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="A generic or brand name (Suboxone, Lyrica…): type it or pick a suggestion.",
        widget=forms.TextInput(attrs={"list": "medication-names", "autocomplete": "off"}),
        error_messages={"required": "Give the medication's name."},
    )
    drug_class = forms.ChoiceField(
        label="Class",
        choices=[("", "Fill in from the name (common medications)"), *DrugClass.choices],
        required=False,
        help_text="The safety flags depend on it.",
    )
    dose = forms.CharField(
        max_length=DOSE_MAX_LENGTH, required=False, help_text="For example: 60 mg once a day."
    )
    started_on = forms.DateField(
        label="Start date", required=False, widget=DATE, help_text="Leave empty if unknown."
    )
    stopped_on = forms.DateField(
        label="Stop date", required=False, widget=DATE, help_text="Empty while it is taken."
    )
    prescribed_for = forms.ChoiceField(
        label="Prescribed for", choices=[("", "—"), *PrescribedFor.choices], required=False
    )
    prescribed_for_detail = forms.CharField(
        label="Prescribed for (details)", max_length=DETAIL_MAX_LENGTH, required=False
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.validated: MedicationData | None = None

    @classmethod
    def initial_from(cls, medication: Medication) -> dict[str, Any]:
        return {field: getattr(medication, field) for field in MedicationData.__dataclass_fields__}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = {f: cleaned.get(f) or "" for f in ("name", "drug_class", "dose", "prescribed_for")}
        data = MedicationData(
            **text,
            started_on=cleaned.get("started_on"),
            stopped_on=cleaned.get("stopped_on"),
            prescribed_for_detail=cleaned.get("prescribed_for_detail") or "",
        )
        try:
            self.validated = validate(self.patient, data)
        except ServiceError as error:
            for field, messages in error.errors.items():
                if field in self.fields and field in self.errors:
                    continue  # the field's own check already says what is wrong
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def to_data(self) -> MedicationData:
        assert self.validated is not None, "call is_valid() first"
        return self.validated
