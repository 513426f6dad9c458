"""The demo sign-ins: random passwords per install, kept in var/demo-logins.json.

Staff sign in with a second factor (issue 12): the three staff sign-ins have an
authenticator enrolled already, and the file gives each its base32 secret as
`totp_secret`, so a script can compute the code (waymark.testing.second_factor.totp_code).

Demo users are created without a usable password; only the five people below
get one. A re-run keeps the saved sign-ins while they still work. If the file
is missing, unreadable or out of date (e.g. the database was recreated), those
five passwords are reset and the file is written again.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from waymark.accounts import mfa
from waymark.accounts.models import User
from waymark.demo.registry import DemoContext, DemoOrganization
from waymark.demo.steps.organizations import HARBOUR, NORTHSTAR
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import Patient

LOGIN_ROLES = ("admin", "clinician", "patient", "supporter", "other_clinician")
STAFF_LOGIN_ROLES = ("admin", "clinician", "other_clinician")
# No 0/O, 1/l/I: the demo passwords are read off a terminal and typed.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS, GROUP_LENGTH = 4, 5  # 23 characters, about 114 bits


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    organization: str
    totp_secret: str = ""  # base32, staff only


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.json"


def new_password(user: User) -> str:
    """A random password that Django's validators accept, e.g. "Kq7mz-3Hx9a-pWt4e-Zr8Nd"."""
    while True:
        password = "-".join(
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GROUP_LENGTH))
            for _ in range(PASSWORD_GROUPS)
        )
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def demo_patient(demo_org: DemoOrganization, clinician: User) -> Patient:
    """A patient in residential or outpatient care; one of `clinician`'s own if possible."""
    candidates = Patient.objects.filter(
        pk__in=[patient.pk for patient in demo_org.patients],
        episodes__discharged_on__isnull=True,
        episodes__stays__ended_on__isnull=True,
        episodes__stays__program__level__in=[LevelOfCare.RESIDENTIAL, LevelOfCare.OUTPATIENT],
        care_team__isnull=False,
    ).order_by("preferred_name", "pk")
    patient = (
        candidates.filter(care_team__clinician=clinician, care_team__is_primary=True).first()
        or candidates.first()
    )
    if patient is None:
        raise LookupError("No demo patient is in residential or outpatient care with a care team.")
    return patient


def login_users(ctx: DemoContext) -> dict[str, tuple[User, Organization]]:
    home, other = ctx.organization(NORTHSTAR.slug), ctx.organization(HARBOUR.slug)
    clinician = home.clinicians[0]
    return {
        "admin": (home.admins[0], home.organization),
        "clinician": (clinician, home.organization),
        "patient": (demo_patient(home, clinician).user, home.organization),
        "supporter": (home.supporters[0], home.organization),
        "other_clinician": (other.clinicians[0], other.organization),
    }


def read_logins(path: Path) -> dict[str, DemoLogin] | None:
    """The saved sign-ins, or None when the file is missing or not what we wrote."""
    try:
        data: Any = json.loads(path.read_text())
        return {role: DemoLogin(**data[role]) for role in LOGIN_ROLES}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_logins(path: Path, logins: dict[str, DemoLogin]) -> None:
    """Write the file owner-readable only, replacing any old one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    data = {
        role: {key: value for key, value in asdict(login).items() if value}
        for role, login in logins.items()
    }
    partial.write_text(json.dumps(data, indent=2))
    partial.chmod(0o600)
    partial.replace(path)


def _still_valid(saved: dict[str, DemoLogin], users: dict[str, tuple[User, Organization]]) -> bool:
    return all(
        saved[role].username == user.username
        and user.check_password(saved[role].password)
        and saved[role].totp_secret == _authenticator_secret(user, role)
        for role, (user, _) in users.items()
    )


def _authenticator_secret(user: User, role: str) -> str:
    """The base32 secret of a staff sign-in's authenticator ("" for the others)."""
    if role not in STAFF_LOGIN_ROLES:
        return ""
    device = mfa.authenticator(user)
    return mfa.secret_base32(device) if device else ""


def _enrol(user: User) -> str:
    """A new authenticator (and recovery codes) for a staff sign-in; its base32 secret."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    mfa.new_recovery_codes(user)
    return mfa.secret_base32(device)


def ensure_logins(ctx: DemoContext) -> tuple[dict[str, DemoLogin], bool]:
    """The demo sign-ins, and whether the saved ones were kept (True) or new ones set."""
    path = logins_path()
    users = login_users(ctx)
    saved = read_logins(path)
    if saved is not None and _still_valid(saved, users):
        return saved, True
    logins: dict[str, DemoLogin] = {}
    with transaction.atomic():
        for role, (user, organization) in users.items():
            password = new_password(user)
            user.set_password(password)
            user.save(update_fields=["password"])
            secret = _enrol(user) if role in STAFF_LOGIN_ROLES else ""
            logins[role] = DemoLogin(user.username, password, organization.name, secret)
    write_logins(path, logins)
    return logins, False
