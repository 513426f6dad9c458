"""Demo tenants and their people: Northstar Recovery (en-US) and Harbour House (en-GB)."""

from __future__ import annotations

from dataclasses import dataclass

from waymark.accounts.models import User
from waymark.demo.histories import DISCHARGED
from waymark.demo.names import UK_FIRST_NAMES, US_FIRST_NAMES
from waymark.demo.registry import DemoContext, DemoOrganization, demo_step
from waymark.organizations.models import (
    LevelOfCare,
    Locale,
    Membership,
    Organization,
    Program,
    Role,
)
from waymark.organizations.services import add_member, create_default_programs, create_organization


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    locale: str
    timezone: str
    admins: tuple[Person, ...]
    clinicians: tuple[Person, ...]  # the first one is on call
    supporters: tuple[Person, ...]
    stages: tuple[tuple[str, int], ...]  # how many patients are at each stage today
    first_names: tuple[str, ...]


NORTHSTAR = OrganizationSpec(
    slug="northstar-recovery",
    name="Northstar Recovery",
    locale=Locale.EN_US,
    timezone="America/New_York",
    admins=(Person("nadia.admin", "Nadia", "Karam"),),
    clinicians=(
        Person("bob.clinician", "Bob", "Whitaker"),
        Person("grace.clinician", "Grace", "Oyelaran"),
    ),
    supporters=(
        Person("sam.supporter", "Sam", "Delgado"),
        Person("lena.supporter", "Lena", "Petrova"),
        Person("jordan.supporter", "Jordan", "Blake"),
    ),
    stages=(
        (LevelOfCare.DETOX, 4),
        (LevelOfCare.RESIDENTIAL, 8),
        (LevelOfCare.DAY, 3),
        (LevelOfCare.INTENSIVE_OUTPATIENT, 4),
        (LevelOfCare.OUTPATIENT, 7),
        (LevelOfCare.AFTERCARE, 5),
        (LevelOfCare.CONTINUING, 2),
        (DISCHARGED, 7),
    ),
    first_names=US_FIRST_NAMES,
)

HARBOUR = OrganizationSpec(
    slug="harbour-house",
    name="Harbour House",
    locale=Locale.EN_GB,
    timezone="Europe/London",
    admins=(),
    clinicians=(Person("carol.clinician", "Carol", "Pritchard"),),
    supporters=(),
    stages=(
        (LevelOfCare.DETOX, 1),
        (LevelOfCare.RESIDENTIAL, 1),
        (LevelOfCare.INTENSIVE_OUTPATIENT, 1),
        (LevelOfCare.OUTPATIENT, 2),
    ),
    first_names=UK_FIRST_NAMES,
)

DEMO_ORGANIZATIONS = (NORTHSTAR, HARBOUR)


def ensure_user(person: Person) -> User:
    """The demo user with this username, created (without a usable password) if missing."""
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = User.objects.create_user(
            username=person.username,
            email=f"{person.username}@example.org",
            first_name=person.first_name,
            last_name=person.last_name,
        )
    return user


def ensure_organization(spec: OrganizationSpec) -> Organization:
    organization = Organization.objects.filter(slug=spec.slug).first()
    if organization is None:
        organization = create_organization(
            name=spec.name, slug=spec.slug, locale=spec.locale, timezone=spec.timezone
        )
        create_default_programs(organization)
    return organization


@demo_step(order=100)
def seed_organizations(ctx: DemoContext) -> None:
    """Both tenants, each with a program for every level of care."""
    for spec in DEMO_ORGANIZATIONS:
        organization = ensure_organization(spec)
        programs: dict[str, Program] = {}
        for program in organization.programs.filter(is_active=True).order_by("id"):
            programs.setdefault(program.level, program)
        ctx.organizations.append(DemoOrganization(organization, programs=programs))


def _members(organization: Organization, people: tuple[Person, ...], role: Role) -> list[User]:
    users = [ensure_user(person) for person in people]
    for user in users:
        add_member(organization, user, role)
    return users


@demo_step(order=200)
def seed_people(ctx: DemoContext) -> None:
    """Admins, clinicians (the first on call) and supporters, who have nobody linked yet."""
    for spec in DEMO_ORGANIZATIONS:
        demo_org = ctx.organization(spec.slug)
        organization = demo_org.organization
        demo_org.admins = _members(organization, spec.admins, Role.ADMIN)
        demo_org.clinicians = _members(organization, spec.clinicians, Role.CLINICIAN)
        demo_org.supporters = _members(organization, spec.supporters, Role.SUPPORTER)
        if demo_org.clinicians:
            Membership.objects.filter(
                organization=organization, user=demo_org.clinicians[0], is_on_call=False
            ).update(is_on_call=True)
