"""Workflows for organizations: creating a tenant with its defaults, finding memberships."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from waymark.organizations.defaults import CRISIS_LINES, EMERGENCY_NUMBER
from waymark.organizations.models import (
    CrisisLine,
    LevelOfCare,
    Locale,
    Membership,
    Organization,
    Program,
    Role,
)

# Default programs: one per level of care, with typical planned lengths.
DEFAULT_PROGRAMS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("Withdrawal management", LevelOfCare.DETOX, 5, 14),
    ("Residential treatment", LevelOfCare.RESIDENTIAL, 30, 90),
    ("Day programme", LevelOfCare.DAY, 20, 40),
    ("Intensive outpatient", LevelOfCare.INTENSIVE_OUTPATIENT, 30, 90),
    ("Outpatient", LevelOfCare.OUTPATIENT, None, None),
    ("Aftercare and step-down housing", LevelOfCare.AFTERCARE, 60, 180),
    ("Continuing recovery", LevelOfCare.CONTINUING, None, None),
)


@transaction.atomic
def create_organization(
    *, name: str, slug: str, locale: str = Locale.EN_US, timezone: str = "UTC"
) -> Organization:
    """Create a tenant with the help lines and emergency number for its locale."""
    organization = Organization(
        name=name,
        slug=slug,
        locale=locale,
        timezone=timezone,
        emergency_number=EMERGENCY_NUMBER.get(locale, "911"),
    )
    organization.full_clean()
    organization.save()
    CrisisLine.objects.bulk_create(
        CrisisLine(
            organization=organization,
            name=line.name,
            phone=line.phone,
            text_number=line.text_number,
            description=line.description,
            position=position,
        )
        for position, line in enumerate(CRISIS_LINES.get(locale, ()))
    )
    return organization


def create_default_programs(organization: Organization) -> list[Program]:
    return [
        Program.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={"level": level, "planned_min_days": low, "planned_max_days": high},
        )[0]
        for name, level, low, high in DEFAULT_PROGRAMS
    ]


def current_membership(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    """The membership a signed-in person acts under (the oldest active one)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user_id=user.pk, is_active=True)
        .order_by("created_at", "id")
        .first()
    )


def add_member(organization: Organization, user: AbstractBaseUser, role: Role) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership
