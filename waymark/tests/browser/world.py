"""The people the browser tests sign in as, written into the browser tests' own database.

Run as `python -m waymark.tests.browser.world` (with that database's DATABASE_URL): the
browser tests drive a real server process, so they cannot use pytest-django's test
database. Alice is like the demo patient: in residential care, with two weeks of
check-ins (one lapse) and a clinician; Bea, Cara and Dev have nothing yet (one
check-in test each).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from decimal import Decimal
from typing import Any

PASSWORD = "browser-tests-only-7Hq2"
ALICE = "alice.browser"
BEA = "bea.browser"
CARA = "cara.browser"
DEV = "dev.browser"
EVE = "eve.browser"  # the clinician journey: her safety answer is the alert Bob acts on
FAY = "fay.browser"  # the safety net: two safety answers on two days, each reaches Bob
GIL = "gil.browser"  # a safety "yes" the service worker keeps: its crisis help, offline
# Issue 15: what matters offline, with Hal's own people (both plans, a supporter).
HAL = "hal.browser"
SUE = "sue.browser"  # Hal's supporter, with a phone number
CARE_TEAM_PHONE = "555-0190"
IDA = "ida.browser"  # issue 17: writes to her care team, Bob replies
# Issue 16: the clinician finds Kim by her surname, reads her header, answers her alert.
KIM = "kim.browser"
KIM_LEGAL_NAME = "Kimberly Adeyemi"
KIM_ALLERGIES = "Penicillin"
BOB = "bob.browser"
# Issue 12: staff sign in with a second factor. Bob's authenticator is enrolled with this
# base32 secret; Ned, a new clinician, enrols his on his first sign-in.
BOB_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NED = "ned.browser"
TIMEZONE = "America/New_York"


def local_today() -> dt.date:
    """Today where the browser-test patients live."""
    import zoneinfo

    return dt.datetime.now(zoneinfo.ZoneInfo(TIMEZONE)).date()


def add_patient(
    username: str, name: str, *, born: dt.date, level: str, clinician: str = ""
) -> None:
    """A new Northstar patient 40 days into recovery at `level`, made by a journey in the
    running server's database (Server.add_patient) so that world's people stay untouched."""
    from waymark.accounts.models import User
    from waymark.organizations.models import Organization, Program
    from waymark.patients.services import admit, assign_clinician, enroll_patient

    organization = Organization.objects.get(slug="northstar")
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=name, email=f"{username}@example.org"
    )
    start = local_today() - dt.timedelta(days=40)
    patient = enroll_patient(
        organization, user, preferred_name=name, date_of_birth=born, substances=["ketamine"],
        recovery_start_date=start,
    )  # fmt: skip
    admit(patient, Program.objects.get(organization=organization, level=level), on=start)
    if clinician:
        assign_clinician(patient, User.objects.get(username=clinician), primary=True)


def create() -> None:
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waymark.accounts.models import User
    from waymark.checkins.models import CheckIn, SubstanceUse
    from waymark.organizations.models import LevelOfCare, Program, Role
    from waymark.organizations.services import (
        add_member,
        create_default_programs,
        create_organization,
    )
    from waymark.patients.models import Patient
    from waymark.patients.services import admit, assign_clinician, enroll_patient

    def user(username: str, first_name: str) -> User:
        return User.objects.create_user(
            username=username, password=PASSWORD, first_name=first_name,
            email=f"{username}@example.org",
        )  # fmt: skip

    organization = create_organization(
        name="Northstar Recovery", slug="northstar", locale="en-US", timezone=TIMEZONE
    )
    create_default_programs(organization)
    residential = Program.objects.get(organization=organization, level=LevelOfCare.RESIDENTIAL)
    bob = user("bob.browser", "Bob")
    add_member(organization, bob, Role.CLINICIAN)
    TOTPDevice.objects.create(
        user=bob, name="Authenticator app", confirmed=True,
        key=base64.b32decode(BOB_TOTP_SECRET).hex(),
    )  # fmt: skip
    add_member(organization, user(NED, "Ned"), Role.CLINICIAN)
    today = local_today()
    patients: list[Patient] = []
    people = (
        (ALICE, "Alice"),
        (BEA, "Bea"),
        (CARA, "Cara"),
        (DEV, "Dev"),
        (EVE, "Eve"),
        (FAY, "Fay"),
        (GIL, "Gil"),
        (IDA, "Ida"),
        (KIM, "Kim"),
        (HAL, "Hal"),  # last: _hals_people below
    )
    for username, name in people:
        patient = enroll_patient(
            organization, user(username, name), preferred_name=name,
            date_of_birth=dt.date(1994, 5, 17), substances=["ketamine", "alcohol"],
            recovery_start_date=today - dt.timedelta(days=40),
        )  # fmt: skip
        admit(patient, residential, on=today - dt.timedelta(days=40))
        assign_clinician(patient, bob, primary=True)
        patients.append(patient)
    alice = patients[0]
    for days_ago in range(14, 1, -1):
        day = today - dt.timedelta(days=days_ago)
        at = timezone.now() - dt.timedelta(days=days_ago)
        checkin = CheckIn.objects.create(
            organization=organization, patient=alice, local_date=day,
            craving=max(1, 8 - days_ago // 2), mood=3, sleep_hours=Decimal("6.5"),
            sleep_quality=3, stress=4, safety_concern=False, completed_at=at, completed_on=day,
            submitted_at=at, updated_at=at,
        )  # fmt: skip
        if days_ago == 9:
            SubstanceUse.objects.create(
                organization=organization, patient=alice, checkin=checkin,
                substance="alcohol", used_on=day, amount="2 beers",
            )  # fmt: skip

    _hals_people(patients[-1], user(SUE, "Sue"))
    Patient.objects.filter(user__username=KIM).update(
        legal_name=KIM_LEGAL_NAME, allergies=KIM_ALLERGIES
    )


def _hals_people(hal: Any, sue: Any) -> None:
    """Hal's plans and supporter; the organization's care team phone and hours."""
    from django.utils import timezone

    from waymark.organizations.models import Role
    from waymark.organizations.services import add_member
    from waymark.plans.models import PlanVersion, SafetyPlanVersion
    from waymark.support.models import Relationship, SupporterLink

    organization = hal.organization
    organization.care_team_phone = CARE_TEAM_PHONE
    organization.care_team_hours = "Monday to Friday, 9am to 5pm"
    organization.save()
    common = {"organization": organization, "patient": hal, "number": 1, "author": hal.user,
              "author_role": "patient", "created_at": timezone.now()}  # fmt: skip
    PlanVersion.objects.create(
        **common, content={"contacts": [{"name": "Hal's brother", "phone": "555-0161"}]}
    )
    SafetyPlanVersion.objects.create(**common, content={
        "warning_signs": ["Lying awake going over things"],
        "people": [{"name": "Aunt May", "phone": "555-0162"}],
        "reasons": ["My nephew's football on Saturdays"],
    })  # fmt: skip
    add_member(organization, sue, Role.SUPPORTER)
    SupporterLink.objects.create(
        organization=organization, patient=hal, supporter=sue, name="Sue",
        relationship=Relationship.FRIEND, email="sue@example.org", phone="555-0163",
        invited_at=timezone.now(),
    )  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    import django

    django.setup()
    create()
