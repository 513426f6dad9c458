"""The appointment, reschedule, cancel, outcome, group, attendance and reminder forms.

Plain fields; the services run the checks that need the database (overlaps, the past) and
their refusals land on the named fields (ServiceErrorFormMixin)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from waymark.accounts.models import User
from waymark.appointments.groups import AttendanceData, GroupData
from waymark.appointments.models import (
    LINE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    WITH_MAX_LENGTH,
    AppointmentKind,
    AttendanceStatus,
    LeadTime,
    Outcome,
)
from waymark.appointments.services import AppointmentData
from waymark.errors import ServiceErrorFormMixin
from waymark.organizations.models import Program
from waymark.patients.models import Patient

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _name(user: User) -> str:
    return user.get_full_name() or user.username


class WhenForm(ServiceErrorFormMixin, forms.Form):
    on = forms.DateField(label="Date", widget=DATE)
    at = forms.TimeField(label="Time", widget=TIME, help_text="In the organization's time zone.")


class AppointmentForm(WhenForm):
    kind = forms.ChoiceField(
        label="Session",
        choices=[(AppointmentKind.INDIVIDUAL, "Individual"), (AppointmentKind.FAMILY, "Family")],
    )
    minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=480, initial=50)
    clinician = forms.TypedChoiceField(label="With clinician", coerce=int)
    place = forms.CharField(
        max_length=PLACE_MAX_LENGTH,
        required=False,
        help_text="Room or address; or leave empty and give a video link.",
    )
    video_url = forms.URLField(label="Video link", required=False, assume_scheme="https")
    with_others = forms.CharField(
        label="Also joining", max_length=WITH_MAX_LENGTH, required=False,
        help_text="Family members or supporters, by name (optional).",
    )  # fmt: skip
    field_order = ["kind", "on", "at", "minutes", "clinician", "place", "video_url", "with_others"]

    def __init__(self, *args: Any, clinicians: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [(u.pk, _name(u)) for u in clinicians]  # type: ignore[attr-defined]

    def to_data(self, kind: str | None = None) -> AppointmentData:
        data = self.cleaned_data
        return AppointmentData(
            kind=kind or data["kind"], on=data["on"], at=data["at"], minutes=data["minutes"],
            clinician_id=data["clinician"], place=data["place"], video_url=data["video_url"],
            with_others=data["with_others"],
        )  # fmt: skip


class GroupSessionForm(AppointmentForm):
    """A group session: no kind (always a group) and no one else joining."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"], self.fields["with_others"]
        self.fields["clinician"].label = "Facilitated by"

    def to_data(self, kind: str | None = None) -> AppointmentData:
        self.cleaned_data.setdefault("with_others", "")
        return super().to_data(kind=AppointmentKind.GROUP)


class RescheduleForm(WhenForm):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, help_text="Kept with the appointment.")


class CancelForm(ServiceErrorFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling", max_length=REASON_MAX_LENGTH,
        help_text="Kept with the appointment.",
    )  # fmt: skip


class OutcomeForm(ServiceErrorFormMixin, forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)


class LeadTimeForm(forms.Form):
    lead_minutes = forms.TypedChoiceField(
        label="Remind me", choices=LeadTime.choices, coerce=int, widget=forms.RadioSelect
    )


class GroupForm(ServiceErrorFormMixin, forms.Form):
    name = forms.CharField(max_length=120, help_text='For example "IOP Monday/Wednesday/Friday".')
    program = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    facilitator = forms.TypedChoiceField(coerce=int)
    members = forms.TypedMultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, coerce=str
    )

    def __init__(
        self, *args: Any, clinicians: list[User], programs: list[Program],
        patients: list[Patient], **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [(u.pk, _name(u)) for u in clinicians]  # type: ignore[attr-defined]
        self.fields["program"].choices = [("", "—"), *[(p.pk, p.name) for p in programs]]  # type: ignore[attr-defined]
        self.fields["members"].choices = [(str(p.pk), p.preferred_name) for p in patients]  # type: ignore[attr-defined]

    def to_data(self) -> GroupData:
        import uuid

        data = self.cleaned_data
        return GroupData(
            name=data["name"], facilitator_id=data["facilitator"], program_id=data["program"],
            member_ids=tuple(uuid.UUID(m) for m in data["members"]),
        )  # fmt: skip


class GroupMembersForm(ServiceErrorFormMixin, forms.Form):
    """Who is in the group: every patient of the organization, the members ticked."""

    members = forms.TypedMultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, coerce=str
    )

    def __init__(self, *args: Any, patients: list[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(p.pk), p.preferred_name) for p in patients]  # type: ignore[attr-defined]

    def member_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(uuid.UUID(m) for m in self.cleaned_data["members"])


class AttendanceForm(ServiceErrorFormMixin, forms.Form):
    """One row per member (status and their own line), and the one group note."""

    note = forms.CharField(
        label="Group note", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Filed, signed, in every attendee's record. It cannot be changed afterwards.",
    )  # fmt: skip

    def __init__(self, *args: Any, members: list[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for patient in members:
            key = str(patient.pk)
            self.fields[f"status_{key}"] = forms.ChoiceField(
                label=f"{patient.preferred_name}: attendance", choices=AttendanceStatus.choices,
                initial=AttendanceStatus.ATTENDED, widget=forms.RadioSelect,
            )  # fmt: skip
            self.fields[f"line_{key}"] = forms.CharField(
                label=f"{patient.preferred_name}: their own line", max_length=LINE_MAX_LENGTH,
                required=False,
            )  # fmt: skip
            self.rows.append((patient, self[f"status_{key}"], self[f"line_{key}"]))

    def to_data(self) -> AttendanceData:
        # Every posted line, the form's or not: the service refuses one for a non-member.
        raw = self.data
        lines = {k.removeprefix("line_"): str(raw.get(k, "")) for k in raw if k.startswith("line_")}
        statuses = {
            k.removeprefix("status_"): str(raw.get(k, "")) for k in raw if k.startswith("status_")
        }
        return AttendanceData(statuses=statuses, note=self.cleaned_data["note"], lines=lines)
