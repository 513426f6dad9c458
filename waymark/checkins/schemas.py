"""The JSON shapes of the check-in API, with the same bounds as the forms.

Unknown fields are refused (a misspelt field is an error, not a silently missing answer).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from waymark.checkins.choices import (
    AMOUNT_MAX_LENGTH,
    LAPSE_NOTE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PRESCRIBED_CLASSES,
    WITHDRAWAL_FIELDS,
    Habit,
    KetamineSymptom,
    Meeting,
    Trigger,
)
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.services import CheckInData, UseData, WithdrawalData
from waymark.organizations.schemas import CrisisHelpOut
from waymark.patients.models import Substance

ZeroToTen = Annotated[int, Field(strict=True, ge=0, le=10)]
OneToFive = Annotated[int, Field(strict=True, ge=1, le=5)]
Level = Annotated[
    int, Field(strict=True, ge=0, le=3, description="0 none, 1 mild, 2 moderate, 3 severe")
]
KEY_HELP = (
    "A UUID the client makes for this submission and reuses on every retry: the same key "
    "and content return the stored object (200); the same key with other content is refused "
    "(409)."
)


class UseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    substance: Substance
    amount: str = Field("", max_length=AMOUNT_MAX_LENGTH, description="Optional, in your words.")
    as_prescribed: bool = Field(
        False,
        strict=True,
        description=(
            "Only for opioids, benzodiazepines and stimulants: true when it was a medicine "
            "prescribed to you and taken as prescribed (then it is not a lapse)."
        ),
    )

    @field_validator("as_prescribed")
    @classmethod
    def only_for_prescribed_classes(cls, value: bool, info: ValidationInfo) -> bool:
        substance = info.data.get("substance")
        if value and substance is not None and str(substance) not in PRESCRIBED_CLASSES:
            raise ValueError(
                "Only opioids, benzodiazepines and stimulants can be marked as taken as "
                f"prescribed, not {substance!s}."
            )
        return value


def _no_repeats(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("List each choice once.")
    return values


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: uuid.UUID = Field(description=KEY_HELP)
    patient_id: uuid.UUID | None = Field(
        None, description="Optional. If given, it must be your own: nobody checks in for another."
    )
    date: dt.date | None = Field(
        None, description="The local day it is for; today in your time zone if left out."
    )
    craving: ZeroToTen
    mood: OneToFive
    sleep_hours: Decimal = Field(ge=0, le=24, max_digits=3, decimal_places=1)
    sleep_quality: OneToFive
    stress: ZeroToTen
    safety_concern: bool = Field(
        strict=True, description="Thoughts of harming yourself or of being better off dead."
    )
    uses: list[UseIn] = Field(default_factory=list, max_length=len(Substance))
    triggers: list[Trigger] = Field(default_factory=list, max_length=len(Trigger))
    habits: list[Habit] = Field(default_factory=list, max_length=len(Habit))
    meetings: list[Meeting] = Field(default_factory=list, max_length=len(Meeting))
    symptoms: list[KetamineSymptom] = Field(default_factory=list, max_length=len(KetamineSymptom))
    note: str = Field("", max_length=NOTE_MAX_LENGTH)
    completed_at: dt.datetime | None = Field(
        None, description="When it was filled in, if it was made offline and sent later."
    )

    @field_validator("uses")
    @classmethod
    def one_entry_per_substance(cls, uses: list[UseIn]) -> list[UseIn]:
        _no_repeats([use.substance for use in uses])
        return uses

    @field_validator("triggers", "habits", "meetings", "symptoms")
    @classmethod
    def no_repeats(cls, values: list[str]) -> list[str]:
        return _no_repeats(values)

    def to_data(self, today: dt.date) -> CheckInData:
        return CheckInData(
            local_date=self.date or today,
            craving=self.craving,
            mood=self.mood,
            sleep_hours=self.sleep_hours,
            sleep_quality=self.sleep_quality,
            stress=self.stress,
            safety_concern=self.safety_concern,
            uses=tuple(
                UseData(str(use.substance), use.amount, use.as_prescribed) for use in self.uses
            ),
            triggers=tuple(map(str, self.triggers)),
            habits=tuple(map(str, self.habits)),
            meetings=tuple(map(str, self.meetings)),
            symptoms=tuple(map(str, self.symptoms)),
            note=self.note,
            completed_at=self.completed_at,
        )


class UseOut(Schema):
    id: int
    substance: str
    amount: str
    as_prescribed: bool
    used_on: dt.date
    note: str


class CheckInOut(Schema):
    id: int
    date: dt.date
    craving: int
    mood: int
    sleep_hours: float
    sleep_quality: int
    stress: int
    safety_concern: bool
    uses: list[UseOut]
    triggers: list[str]
    habits: list[str]
    meetings: list[str]
    symptoms: list[str]
    note: str
    late: bool
    completed_at: dt.datetime
    submitted_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_date(obj: CheckIn) -> dt.date:
        return obj.local_date

    @staticmethod
    def resolve_late(obj: CheckIn) -> bool:
        return obj.is_late

    @staticmethod
    def resolve_uses(obj: CheckIn) -> list[SubstanceUse]:
        return list(obj.uses.all())


class LowerToleranceOut(Schema):
    """A lapse after a break from a depressant: overdose and naloxone guidance, at once."""

    substances: list[str]
    message: str
    emergency_number: str
    learn_more: str


class CheckInSavedOut(CheckInOut):
    """A stored check-in, with the help to show at once when an answer calls for it."""

    crisis_help: CrisisHelpOut | None = Field(
        None, description="Set when the safety answer is yes: show it at once."
    )
    medical_advice: str | None = None
    lower_tolerance: LowerToleranceOut | None = None


class WithdrawalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: uuid.UUID = Field(description=KEY_HELP)
    craving: Level = 0
    anxiety: Level = 0
    low_mood: Level = 0
    irritability: Level = 0
    restlessness: Level = 0
    sleep_problems: Level = 0
    fatigue: Level = 0
    poor_concentration: Level = 0
    tremor: Level = 0
    sweating: Level = 0
    appetite_change: Level = 0
    note: str = Field("", max_length=LAPSE_NOTE_MAX_LENGTH)
    recorded_at: dt.datetime | None = Field(
        None, description="When it was filled in, if it was made offline and sent later."
    )

    def to_data(self) -> WithdrawalData:
        return WithdrawalData(
            ratings={name: getattr(self, name) for name in WITHDRAWAL_FIELDS},
            note=self.note,
            recorded_at=self.recorded_at,
        )


class WithdrawalOut(Schema):
    id: int
    recorded_at: dt.datetime
    day_of_stay: int
    total: int
    craving: int
    anxiety: int
    low_mood: int
    irritability: int
    restlessness: int
    sleep_problems: int
    fatigue: int
    poor_concentration: int
    tremor: int
    sweating: int
    appetite_change: int
    note: str

    @staticmethod
    def resolve_day_of_stay(obj: WithdrawalEntry) -> int:
        started = obj.stay.started_on
        return (obj.local_time(obj.patient.timezone).date() - started).days + 1


class WithdrawalSavedOut(WithdrawalOut):
    """A stored entry, and whether the care team was told of it (a symptom rated severe)."""

    care_team_told: bool = Field(
        False,
        description="True when a symptom was rated severe: the care team has been alerted. "
        "Show the patient that they were told, with a way to ask to talk to staff now.",
    )


class MilestoneOut(Schema):
    days: int
    name: str
    on: dt.date


class LapseOut(Schema):
    id: int
    date: dt.date
    amount: str
    note: str


class CounterOut(Schema):
    substance: str
    label: str
    days_since_last_use: int
    current_streak: int
    longest_streak: int
    total_days_abstinent: int = Field(
        description="Days known to be without: checked in, no lapse (same as days_without)."
    )
    days_without: int = Field(description="Days since the start with a check-in and no lapse.")
    days_unknown: int = Field(description="Days since the start with no check-in: not counted.")
    amount_per_day: Decimal | None = None
    money_saved: Decimal | None = Field(None, description="amount_per_day × days_without.")
    counting_from: dt.date
    last_use_on: dt.date | None
    next_milestone: MilestoneOut
    lapses: list[LapseOut]


class CountersOut(Schema):
    checkin_streak: int
    counters: list[CounterOut]
    milestones_reached: list[MilestoneOut]
