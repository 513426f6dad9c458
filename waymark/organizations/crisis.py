"""Crisis help: ONE payload, built in ONE place, shown the same way everywhere.

Every page that shows crisis help (the check-in form and its result, the questionnaire
pages, the withdrawal log, the overdose guidance, the help page, the service worker's
offline page) renders `organizations/_crisis_help.html` with a `CrisisHelp`; every API
response that carries it uses `organizations.schemas.CrisisHelpOut`.

What it holds: the emergency number and the organization's crisis lines (defaults per
locale in `defaults.py`, editable by the organization); the patient's own people to call
(from their relapse prevention plan and safety plan, and their supporters who gave a phone:
the plans and support apps register them with `register_people`, so this core module
imports no feature app; the same number twice is listed once); the care team, and how to
reach it as the organization sets it (a phone number as a one-tap call link, the hours it
is answered, and its own words), with a plain line that messages are not watched around the
clock and what to do instead; and, for a patient, where their safety plan is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse

from waymark.organizations.defaults import CRISIS_LINES, EMERGENCY_NUMBER, LineDefault
from waymark.organizations.models import CrisisLine, Locale, Organization
from waymark.patients.models import CareTeamMember, Patient
from waymark.registries import Registry

GENERAL_MESSAGE = (
    "If you might act on thoughts of harming yourself, or you don't feel safe right now, "
    "call the emergency number or a crisis line. Phone calls work without internet."
)
AFTER_SAFETY_ANSWER = (
    "Thank you for telling us. Your care team has been told. If you might act on these "
    "thoughts or feel unsafe now, call the emergency number or a crisis line."
)
NOT_WATCHED = (
    "E-mails and messages to your care team are not watched around the clock. If you need "
    "help now, don't wait for a reply: call the emergency number, a crisis line or someone "
    "you trust."
)
REGIONS = {Locale.EN_US: "In the United States", Locale.EN_GB: "In the United Kingdom"}

_NOT_IN_A_TEL_LINK = re.compile(r"[^0-9+()\-.]")


def tel_href(number: str) -> str:
    """`tel:` link of a number as written ("0300 123 6600" → "tel:03001236600")."""
    return "tel:" + _NOT_IN_A_TEL_LINK.sub("", number)


@dataclass(frozen=True)
class HelpLine:
    """A crisis or help line: call, text, or both."""

    name: str
    phone: str = ""
    text_number: str = ""
    description: str = ""

    @property
    def tel(self) -> str:
        return tel_href(self.phone) if self.phone else ""

    @property
    def sms(self) -> str:
        return "sms:" + _NOT_IN_A_TEL_LINK.sub("", self.text_number) if self.text_number else ""


@dataclass(frozen=True)
class Person:
    """One of the patient's own people to call ("people I can call" in their plan)."""

    name: str
    phone: str

    @property
    def tel(self) -> str:
        return tel_href(self.phone)


@dataclass(frozen=True)
class CareTeamContact:
    name: str
    email: str = ""


@dataclass(frozen=True)
class CrisisHelp:
    """Everything a person in crisis is shown, in the order it is shown."""

    message: str
    emergency_number: str
    crisis_lines: tuple[HelpLine, ...]
    people: tuple[Person, ...] = ()
    care_team: tuple[CareTeamContact, ...] = ()
    care_team_contact: str = ""
    care_team_phone: str = ""
    care_team_hours: str = ""
    not_watched: str = NOT_WATCHED
    safety_plan_url: str = ""  # a patient's own safety plan, offered with every crisis help
    region: str = field(default="", compare=False)  # only on the signed-out help page

    @property
    def emergency_tel(self) -> str:
        return tel_href(self.emergency_number)

    @property
    def care_team_tel(self) -> str:
        return tel_href(self.care_team_phone) if self.care_team_phone else ""

    @property
    def has_care_team(self) -> bool:
        return bool(self.care_team or self.care_team_contact or self.care_team_phone)


PeopleProvider = Callable[[Patient], Iterable[Person]]
_people_providers: Registry[PeopleProvider] = Registry()
# Where a patient's own people to call come from (plans: both plans; support: supporters).
register_people = _people_providers.register


def _help_line(line: CrisisLine | LineDefault) -> HelpLine:
    return HelpLine(line.name, line.phone, line.text_number, line.description)


def _once_each(people: Iterable[Person]) -> tuple[Person, ...]:
    """The same number (in a plan and a supporter's link, say) is listed once."""
    seen: set[str] = set()
    kept = []
    for person in people:
        if person.tel not in seen:
            seen.add(person.tel)
            kept.append(person)
    return tuple(kept)


def crisis_help_for(
    subject: Patient | Organization, *, after_safety_answer: bool = False
) -> CrisisHelp:
    """The crisis help for a patient (with their own people and care team) or, for anyone
    else signed in, their organization's lines and emergency number."""
    patient = subject if isinstance(subject, Patient) else None
    organization = patient.organization if patient is not None else subject
    assert isinstance(organization, Organization)
    lines = CrisisLine.objects.filter(organization_id=organization.pk)
    people: list[Person] = []
    care_team: list[CareTeamContact] = []
    if patient is not None:
        for provider in _people_providers:
            people.extend(provider(patient))
        members = CareTeamMember.objects.filter(
            organization_id=organization.pk, patient=patient
        ).select_related("clinician")
        care_team = [CareTeamContact(str(m.clinician), m.clinician.email) for m in members]
    return CrisisHelp(
        message=AFTER_SAFETY_ANSWER if after_safety_answer else GENERAL_MESSAGE,
        emergency_number=organization.emergency_number,
        crisis_lines=tuple(_help_line(line) for line in lines),
        people=_once_each(people),
        care_team=tuple(care_team),
        care_team_contact=organization.care_team_contact if patient is not None else "",
        care_team_phone=organization.care_team_phone if patient is not None else "",
        care_team_hours=organization.care_team_hours if patient is not None else "",
        safety_plan_url=reverse("plans:my_safety_plan") if patient is not None else "",
    )


def crisis_help_defaults() -> tuple[CrisisHelp, ...]:
    """For someone not signed in: every locale's default lines and emergency number."""
    return tuple(
        CrisisHelp(
            message=GENERAL_MESSAGE,
            emergency_number=EMERGENCY_NUMBER[locale],
            crisis_lines=tuple(_help_line(line) for line in lines),
            region=REGIONS.get(Locale(locale), locale),
        )
        for locale, lines in CRISIS_LINES.items()
    )
