"""seed_demo: the cast it creates, idempotence, sign-ins, tenancy and the step registry.

These tests run seed_demo with the kernel's steps only (organizations, people, patients):
that is what they are about, and it takes a third of the time. Each app's own step has its
test beside it (<app>/tests/test_demo.py, on a small demo); one test here runs every step
end to end.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.demo import registry
from waymark.demo.management.commands import seed_demo as seed_demo_command
from waymark.demo.registry import DemoContext, DemoStep, demo_step
from waymark.demo.tests.small import row_counts
from waymark.organizations.models import (
    CrisisLine,
    LevelOfCare,
    Membership,
    Organization,
    Program,
    Role,
)
from waymark.patients.models import CareTeamMember, Episode, Patient, ProgramStay, Substance
from waymark.testing.second_factor import totp_code

ROLES = {"admin", "clinician", "patient", "supporter", "other_clinician"}
NORTHSTAR, HARBOUR = "northstar-recovery", "harbour-house"


def authenticate(*, username: str, password: str) -> Any:
    """Sign in as the login page would (django-axes needs the request)."""
    return django_authenticate(RequestFactory().post("/"), username=username, password=password)


def kernel_steps() -> list[DemoStep]:
    """Every step but the apps' own (a Waymark app's demo.py, order 400 and up): the
    kernel's, and those a test or a plugin app registers."""
    return [
        step
        for step in registry.discover_steps()
        if step.order < 400
        or not step.function.__module__.startswith("waymark.")
        or not step.function.__module__.endswith(".demo")
    ]


@pytest.fixture
def full_demo(db: None, settings: Any, tmp_path: Path) -> Path:
    """A demo install whose var/ is a temporary directory; returns the logins file."""
    settings.DEMO = True
    settings.VAR_DIR = tmp_path
    return tmp_path / "demo-logins.json"


@pytest.fixture
def demo(full_demo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same, with seed_demo running the kernel's steps only."""
    monkeypatch.setattr(seed_demo_command, "discover_steps", kernel_steps)
    return full_demo


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps a test registers are forgotten afterwards."""
    registry.discover_steps()
    monkeypatch.setattr(registry, "_steps", dict(registry._steps))


def seed(**options: Any) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def logins(path: Path) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(path.read_text())
    return data


def current_stage(patient: Patient) -> str:
    open_stay = ProgramStay.objects.filter(
        patient=patient, episode__discharged_on__isnull=True, ended_on__isnull=True
    ).first()
    return open_stay.program.level if open_stay else "discharged"


def wipe_database() -> None:
    """Make the demo's organizations and people absent, as after a fresh install.

    Nothing is deleted: the audit trail and signed clinical notes refuse DELETE by
    design, so the old rows are renamed out of the demo's way instead.
    """
    Organization.objects.update(slug=Concat("slug", Value("-old")))
    User.objects.update(username=Concat("username", Value(".old")))


def test_it_seeds_two_organizations_with_a_program_for_every_level_of_care(demo: Path) -> None:
    seed()

    northstar = Organization.objects.get(slug=NORTHSTAR)
    harbour = Organization.objects.get(slug=HARBOUR)
    assert (northstar.name, northstar.locale, northstar.timezone) == (
        "Northstar Recovery",
        "en-US",
        "America/New_York",
    )
    assert (harbour.name, harbour.locale, harbour.timezone) == (
        "Harbour House",
        "en-GB",
        "Europe/London",
    )
    assert Organization.objects.count() == 2
    for organization in (northstar, harbour):
        levels = sorted(Program.objects.filter(organization=organization).values_list("level"))
        assert levels == sorted((level,) for level in LevelOfCare.values)
        assert CrisisLine.objects.filter(organization=organization).exists()


def test_it_seeds_forty_patients_at_every_stage(demo: Path) -> None:
    seed()

    patients = Patient.objects.filter(organization__slug=NORTHSTAR)
    assert patients.count() == 40
    stages = Counter(current_stage(patient) for patient in patients)
    for stage in ("detox", "residential", "day", "iop", "outpatient", "aftercare", "discharged"):
        assert stages[stage] >= 2, stages
    assert Patient.objects.filter(organization__slug=HARBOUR).count() == 5


def test_it_seeds_the_staff_and_supporters(demo: Path) -> None:
    seed()

    def members(slug: str, role: Role) -> list[str]:
        return sorted(
            Membership.objects.filter(organization__slug=slug, role=role).values_list(
                "user__username", flat=True
            )
        )

    assert members(NORTHSTAR, Role.ADMIN) == ["nadia.admin"]
    assert members(NORTHSTAR, Role.CLINICIAN) == ["bob.clinician", "grace.clinician"]
    assert len(members(NORTHSTAR, Role.SUPPORTER)) == 3
    assert members(HARBOUR, Role.CLINICIAN) == ["carol.clinician"]
    assert members(HARBOUR, Role.ADMIN) == members(HARBOUR, Role.SUPPORTER) == []
    supporters = User.objects.filter(memberships__role=Role.SUPPORTER)
    assert not Patient.objects.filter(user__in=supporters).exists()
    assert not CareTeamMember.objects.filter(clinician__in=supporters).exists()
    assert all(user.username == user.username.lower() for user in User.objects.all())


def test_it_splits_the_care_teams_across_both_clinicians(demo: Path) -> None:
    seed()

    primaries = Counter(
        CareTeamMember.objects.filter(organization__slug=NORTHSTAR, is_primary=True).values_list(
            "clinician__username", flat=True
        )
    )
    assert sum(primaries.values()) == 40
    assert set(primaries) == {"bob.clinician", "grace.clinician"}
    assert min(primaries.values()) >= 15


def test_it_seeds_every_step_and_creates_nothing_new_on_a_second_run(full_demo: Path) -> None:
    """The one end-to-end run: every app's step, twice."""
    seed()
    before, first_logins = row_counts(), logins(full_demo)
    assert all(before[label] for label in ("checkins.CheckIn", "plans.PlanVersion"))

    output = seed()

    assert row_counts() == before
    assert logins(full_demo) == first_logins
    assert "unchanged" in output
    assert first_logins["admin"]["password"] in output


def test_it_writes_sign_ins_that_work_for_each_role(demo: Path) -> None:
    output = seed()

    saved = logins(demo)
    assert set(saved) == ROLES
    assert demo.stat().st_mode & 0o777 == 0o600
    for role, login in saved.items():
        user = authenticate(username=login["username"], password=login["password"])
        assert user is not None, role
        assert len(login["password"]) >= 16
        validate_password(login["password"], user)
        assert login["password"] in output
        membership = Membership.objects.get(user=user)
        assert membership.organization.name == login["organization"]
    assert Membership.objects.get(user__username=saved["admin"]["username"]).role == Role.ADMIN
    other = Membership.objects.get(user__username=saved["other_clinician"]["username"])
    assert (other.role, other.organization.slug) == (Role.CLINICIAN, HARBOUR)


def test_it_gives_staff_sign_ins_a_totp_secret_that_signs_them_in(demo: Path) -> None:
    """Issue 12: staff are enrolled already; a script signs in with the password, then the
    code computed from `totp_secret` in the one-field second step."""
    output = seed()

    saved = logins(demo)
    assert {role for role, login in saved.items() if "totp_secret" in login} == {
        "admin",
        "clinician",
        "other_clinician",
    }
    for role in ("admin", "clinician", "other_clinician"):
        login = saved[role]
        assert login["totp_secret"] in output
        client = Client()
        signed_in = client.post(
            reverse("accounts:login"),
            {"username": login["username"], "password": login["password"]},
        )
        assert signed_in.status_code == 302
        assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:verify"))
        verified = client.post(
            reverse("accounts:verify"), {"code": totp_code(login["totp_secret"])}
        )
        assert verified.status_code == 302, role
        assert client.get(verified["Location"], follow=True).status_code == 200
    seed()  # a re-run keeps the secrets
    assert logins(demo) == saved


def test_it_signs_in_as_a_patient_in_residential_or_outpatient_care(demo: Path) -> None:
    seed()

    saved = logins(demo)
    patient = Patient.objects.get(user__username=saved["patient"]["username"])
    assert patient.organization.slug == NORTHSTAR
    assert current_stage(patient) in {LevelOfCare.RESIDENTIAL, LevelOfCare.OUTPATIENT}
    assert patient.care_team.filter(
        clinician__username=saved["clinician"]["username"], is_primary=True
    ).exists()


def test_it_leaves_other_demo_users_without_a_usable_password(demo: Path) -> None:
    seed()

    signed_in = {login["username"] for login in logins(demo).values()}
    others = User.objects.exclude(username__in=signed_in)
    assert others.count() == 45 + 7 - 5  # patients and staff/supporters, minus the sign-ins
    assert not any(user.has_usable_password() for user in others)


def test_it_uses_other_passwords_but_the_same_people_on_a_fresh_install(
    demo: Path, settings: Any, tmp_path: Path
) -> None:
    seed()
    first = logins(demo)
    wipe_database()
    settings.VAR_DIR = tmp_path / "second-install"

    seed()

    second = logins(tmp_path / "second-install" / "demo-logins.json")
    assert {role: login["username"] for role, login in first.items()} == {
        role: login["username"] for role, login in second.items()
    }
    for role in ROLES:
        assert first[role]["password"] != second[role]["password"]


@pytest.mark.parametrize("damage", ["missing", "garbled", "stale"])
def test_it_resets_the_demo_passwords_when_the_saved_ones_are_unusable(
    demo: Path, damage: str
) -> None:
    seed()
    old = logins(demo)
    if damage == "missing":
        demo.unlink()
    elif damage == "garbled":
        demo.write_text("{not json")
    else:  # the database was recreated, the file was not
        wipe_database()
    before = row_counts()

    output = seed()

    new = logins(demo)
    assert "new passwords" in output
    if damage != "stale":
        assert row_counts() == before
    for role in ROLES:
        assert new[role]["password"] != old[role]["password"]
        assert authenticate(username=new[role]["username"], password=new[role]["password"])
        assert not authenticate(username=old[role]["username"], password=old[role]["password"])


def test_it_keeps_each_organization_to_itself(demo: Path) -> None:
    seed()

    patient_org = F("patient__organization_id")
    assert not Episode.objects.exclude(organization_id=patient_org).exists()
    assert not ProgramStay.objects.exclude(organization_id=patient_org).exists()
    assert not ProgramStay.objects.exclude(program__organization_id=patient_org).exists()
    for member in CareTeamMember.objects.select_related("patient"):
        assert member.organization_id == member.patient.organization_id
        assert Membership.objects.filter(
            user=member.clinician, organization_id=member.organization_id, role=Role.CLINICIAN
        ).exists()
    northstar_patients = Patient.objects.filter(organization__slug=NORTHSTAR)
    assert not ProgramStay.objects.filter(
        patient__in=northstar_patients, program__organization__slug=HARBOUR
    ).exists()
    assert not CareTeamMember.objects.filter(
        patient__in=northstar_patients, clinician__username="carol.clinician"
    ).exists()


def test_it_gives_every_open_episode_exactly_one_open_stay(demo: Path) -> None:
    seed()

    for episode in Episode.objects.prefetch_related("stays"):
        open_stays = [stay for stay in episode.stays.all() if stay.ended_on is None]
        assert len(open_stays) == (1 if episode.is_open else 0), episode.patient
    assert Episode.objects.filter(discharged_on__isnull=False).count() > 7  # readmissions too


def test_it_builds_histories_that_hang_together(demo: Path) -> None:
    seed()
    today = timezone.localdate()

    for patient in Patient.objects.prefetch_related("episodes__stays"):
        episodes = sorted(patient.episodes.all(), key=lambda episode: episode.admitted_on)
        for earlier, later in pairwise(episodes):
            assert earlier.discharged_on is not None and earlier.discharged_on < later.admitted_on
        for episode in episodes:
            stays = list(episode.stays.all())
            assert stays[0].started_on == episode.admitted_on
            for stay, following in pairwise(stays):
                assert stay.ended_on == following.started_on  # moved on the same day
            assert stays[-1].ended_on == episode.discharged_on
        latest = episodes[-1]
        if patient.recovery_start_date is not None:
            window = latest.admitted_on - dt.timedelta(days=2)
            assert window <= patient.recovery_start_date <= (latest.discharged_on or today)
        else:
            assert latest.discharge_destination == "left_early"


def test_it_makes_adults_who_use_ketamine_and_other_substances(demo: Path) -> None:
    seed()
    today = timezone.localdate()

    patients = list(Patient.objects.select_related("user"))
    for patient in patients:
        age = (today - patient.date_of_birth).days / 365.25
        assert 19 <= age < 61
        assert Substance.KETAMINE in patient.substances
        assert patient.preferred_name.split()[0] == patient.user.first_name
    also_used = Counter(value for patient in patients for value in patient.substances)
    for substance in ("alcohol", "tobacco", "stimulants", "benzodiazepines"):
        assert also_used[substance] >= 2
    assert len({patient.user.first_name for patient in patients}) == len(patients)


def test_it_shows_a_progress_bar_on_stderr(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed()

    assert "Seeding demo: patients" in capsys.readouterr().err


def test_it_refuses_to_run_outside_a_demo_install(demo: Path, settings: Any) -> None:
    settings.DEMO = settings.DEBUG = False

    with pytest.raises(CommandError, match="WAYMARK_DEMO=1"):
        seed()

    assert not Organization.objects.exists()
    assert not demo.exists()


def test_it_runs_the_steps_an_app_registers_after_the_kernel(
    demo: Path, isolated_registry: None
) -> None:
    seen: list[tuple[list[str], int, float]] = []

    @demo_step(order=900)
    def seed_extra(ctx: DemoContext) -> None:
        seen.append(([org.slug for org in ctx.organizations], len(ctx.patients), ctx.rng.random()))

    seed()
    seed()

    assert seen[0][:2] == ([NORTHSTAR, HARBOUR], 45)
    assert seen[0] == seen[1]  # a step's own random numbers are the same every run


def test_it_discovers_the_demo_module_of_an_installed_app(
    demo: Path, isolated_registry: None, settings: Any, tmp_path: Path
) -> None:
    package = tmp_path / "plugin_app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "demo.py").write_text(
        "from waymark.demo.registry import demo_step\n"
        "from waymark.organizations.models import CrisisLine\n\n"
        "@demo_step(order=900)\n"
        "def seed_plugin_line(ctx):\n"
        "    CrisisLine.objects.get_or_create(\n"
        "        organization=ctx.organizations[0].organization, name='Plugin line',\n"
        "        defaults={'phone': '555 0100'},\n"
        "    )\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "plugin_app"]
        seed()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("plugin_app.demo", None)
        sys.modules.pop("plugin_app", None)

    assert CrisisLine.objects.filter(organization__slug=NORTHSTAR, name="Plugin line").exists()


def test_it_leaves_nothing_of_a_step_that_fails(demo: Path, isolated_registry: None) -> None:
    @demo_step(order=900)
    def seed_broken(ctx: DemoContext) -> None:
        organization = ctx.organization(NORTHSTAR).organization
        CrisisLine.objects.create(organization=organization, name="Half written", phone="555")
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        seed()

    assert Patient.objects.count() == 45  # the steps before it were committed
    assert not CrisisLine.objects.filter(name="Half written").exists()


@pytest.fixture(autouse=True)
def _no_leftover_plugin() -> Iterator[None]:
    yield
    assert "plugin_app" not in sys.modules
