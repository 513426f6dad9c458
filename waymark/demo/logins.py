"""The demo sign-ins: random passwords per install, kept in var/demo-logins.json.

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

from waymark.accounts.models import User
from waymark.demo.registry import DemoContext, DemoOrganization
from waymark.demo.steps.organizations import HARBOUR, NORTHSTAR
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import Patient

LOGIN_ROLES = ("admin", "clinician", "patient", "supporter", "other_clinician")
# No 0/O, 1/l/I: the demo passwords are read off a terminal and typed.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS, GROUP_LENGTH = 4, 5  # 23 characters, about 114 bits


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    organization: str


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
    partial.write_text(
        json.dumps({role: asdict(login) for role, login in logins.items()}, indent=2)
    )
    partial.chmod(0o600)
    partial.replace(path)


def _still_valid(saved: dict[str, DemoLogin], users: dict[str, tuple[User, Organization]]) -> bool:
    return all(
        saved[role].username == user.username and user.check_password(saved[role].password)
        for role, (user, _) in users.items()
    )


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
            logins[role] = DemoLogin(user.username, password, organization.name)
    write_logins(path, logins)
    return logins, False
