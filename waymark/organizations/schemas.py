"""The ONE API shape of crisis help (`CrisisHelpOut`), used by every endpoint that returns
it: a check-in with a safety answer, a questionnaire response with one."""

from __future__ import annotations

from collections.abc import Iterable

from ninja import Field, Schema
from pydantic import field_validator

from waymark.organizations.crisis import CareTeamContact


class CrisisLineOut(Schema):
    name: str
    phone: str = Field(description="Empty when the line takes texts only.")
    text_number: str = Field(description="Empty when the line takes calls only.")
    description: str


class PersonOut(Schema):
    name: str
    phone: str


class CrisisHelpOut(Schema):
    """What to show at once to someone who may be in crisis (organizations.crisis)."""

    message: str
    emergency_number: str
    crisis_lines: list[CrisisLineOut]
    people: list[PersonOut] = Field(
        description="The patient's own people to call: from their relapse prevention plan, "
        "their safety plan and their supporters who gave a phone number (each number once)."
    )
    care_team: list[str] = Field(description="The names of the patient's care team.")
    care_team_contact: str = Field(
        description="How to reach the care team, as the organization words it (may be empty)."
    )
    care_team_phone: str = Field(
        description="The care team's phone number, as the organization sets it (may be empty)."
    )
    care_team_hours: str = Field(
        description="When the care team's phone is answered (may be empty)."
    )
    not_watched: str = Field(
        description="Says that messages to the care team are not watched around the clock, "
        "and what to do instead."
    )
    safety_plan_url: str = Field(
        description="Where the patient makes or opens their safety plan (empty for others)."
    )

    @field_validator("care_team", mode="before")
    @classmethod
    def names_only(cls, members: Iterable[CareTeamContact | str]) -> list[str]:
        return [member if isinstance(member, str) else member.name for member in members]
