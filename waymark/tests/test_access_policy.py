"""Who may do what is decided in ONE place, waymark/access.py (issue 11).

The scan below reads every module of the codebase and fails on a role guard anywhere
else: a role compared (`actor.role == Role.CLINICIAN`, `role in {...}`), a tuple, list
or set of roles (`STAFF = (Role.CLINICIAN, Role.ADMIN)`), or `role_required(`. Code that
only NAMES a role as data is left alone: creating a membership (`add_member(org, user,
Role.PATIENT)`), choosing people by role in a query (`role=Role.CLINICIAN`), recording
who acted (`actor_role=actor.role`). Ask `can(actor, Capability.X)`, `require(...)` or
`@capability_required(...)` instead, and choose people with `roles_with(capability)`.

Not scanned: access.py itself, the models that define Role, tests, migrations, and the
demo seeding (it creates members of each role). `ALLOWED` lists the few comparisons
that are about data, not access.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from waymark.access import (
    ROLE_CAPABILITIES,
    Actor,
    Capability,
    NotAllowed,
    can,
    require,
    roles_with,
)
from waymark.accounts.models import User
from waymark.errors import ServiceError
from waymark.organizations.models import Membership, Role
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient

WAYMARK = Path(__file__).resolve().parents[1]
NOT_SCANNED = ("access.py", "organizations/models.py", "conftest.py", "demo/")
ROLE_NAMES = {"ADMIN", "CLINICIAN", "PATIENT", "SUPPORTER"}

# (module, function) → why comparing a role there is not an access decision.
ALLOWED = {
    ("organizations/admin.py", "clean_role"): (
        "the admin's invitation form refuses to create a patient membership (patients are "
        "added with their record): it validates the role being created"
    ),
}


def _is_role(node: ast.AST) -> bool:
    """`Role.CLINICIAN` and the like."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ROLE_NAMES
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
    )


def _names_a_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role(element) for element in node.elts)
    return _is_role(node) or (isinstance(node, ast.Attribute) and node.attr == "role")


def role_guards(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for every role guard in `source`."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Compare) and any(
            _names_a_role(side) for side in (node.left, *node.comparators)
        ):
            found.append((node.lineno, function, "a role compared"))
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and any(
            _is_role(element) for element in node.elts
        ):
            found.append((node.lineno, function, "a collection of roles"))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "role_required"
        ):
            found.append((node.lineno, function, "role_required"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def scanned_modules() -> list[Path]:
    return [
        path
        for path in sorted(WAYMARK.rglob("*.py"))
        if "tests" not in path.relative_to(WAYMARK).parts
        and "migrations" not in path.relative_to(WAYMARK).parts
        and not str(path.relative_to(WAYMARK)).startswith(NOT_SCANNED)
    ]


def test_it_finds_no_role_guard_outside_the_access_layer() -> None:
    guards = [
        f"waymark/{module}:{line} ({function}): {what}"
        for path in scanned_modules()
        for module in [str(path.relative_to(WAYMARK))]
        for line, function, what in role_guards(path.read_text())
        if (module, function) not in ALLOWED
    ]
    assert guards == [], "decide this in waymark/access.py (a Capability) instead"


def test_it_scans_the_views_api_and_services() -> None:
    modules = {str(path.relative_to(WAYMARK)) for path in scanned_modules()}
    assert {"notes/views.py", "notes/api.py", "notes/services.py", "admin_site.py"} <= modules
    assert {"access.py", "organizations/models.py", "notes/tests/test_views.py"}.isdisjoint(modules)


@pytest.mark.parametrize(
    "guard",
    [
        "if actor.role == Role.CLINICIAN: pass",
        "if actor.role != 'patient': pass",
        "if membership.role in {Role.CLINICIAN, Role.ADMIN}: pass",
        "STAFF = (Role.CLINICIAN, Role.ADMIN)",
        "members = Membership.objects.filter(role__in=[Role.CLINICIAN, Role.ADMIN])",
        "@role_required(Role.PATIENT)\ndef view(request): pass",
        "ok = Role.ADMIN == role",
    ],
)
def test_it_catches_each_kind_of_role_guard(guard: str) -> None:
    assert role_guards(guard) != []


@pytest.mark.parametrize(
    "data",
    [
        "add_member(organization, user, Role.PATIENT)",
        "Membership.objects.filter(organization=org, role=Role.CLINICIAN, is_active=True)",
        "record(actor_role=actor.role)",
        "members = Membership.objects.filter(role__in=roles_with(Capability.ACT_ON_ALERTS))",
    ],
)
def test_it_leaves_code_that_names_a_role_as_data_alone(data: str) -> None:
    assert role_guards(data) == []


# --- The policy ------------------------------------------------------------------------


def as_actor(user: User) -> Actor:
    return Actor(user=user, membership=current_membership(user))


def test_it_gives_every_role_a_policy_and_every_capability_a_role() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert {c for granted in ROLE_CAPABILITIES.values() for c in granted} == set(Capability)


def test_it_keeps_clinical_writing_to_clinicians(bob: User, olivia: User, sam: User) -> None:
    for capability in (
        Capability.WRITE_NOTES,
        Capability.RECORD_MEDICATIONS,
        Capability.ASSIGN_QUESTIONNAIRES,
        Capability.EDIT_PLAN_FOR_PATIENT,
    ):
        assert roles_with(capability) == [Role.CLINICIAN]
        assert [can(as_actor(u), capability) for u in (bob, olivia, sam)] == [True, False, False]
    assert roles_with(Capability.ACT_ON_ALERTS) == [Role.CLINICIAN, Role.ADMIN]


def test_it_lets_a_deactivated_member_do_nothing(bob: User) -> None:
    membership = Membership.objects.get(user=bob)
    stale = Actor(user=bob, membership=membership)  # built before the deactivation
    assert can(stale, Capability.WRITE_NOTES)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    assert [c for c in Capability if can(stale, c)] == []
    with pytest.raises(NotAllowed):
        require(stale, Capability.VIEW_CASELOAD)


def test_it_refuses_another_organizations_patient(alice: Patient, carol: User) -> None:
    carols = as_actor(carol)
    assert require(carols, Capability.WRITE_NOTES) is carols
    with pytest.raises(NotAllowed, match="not in your organization") as refused:
        require(carols, Capability.WRITE_NOTES, patient=alice)
    assert isinstance(refused.value, ServiceError) and isinstance(refused.value, PermissionDenied)
    assert (refused.value.status, refused.value.code) == (403, "forbidden")


def test_it_refuses_with_the_capability_named(alice: Patient, sam: User) -> None:
    with pytest.raises(NotAllowed) as refused:
        require(as_actor(sam), Capability.READ_NOTES, patient=alice)
    assert refused.value.message == "Your role cannot read clinical notes."
    assert refused.value.as_json()["code"] == "forbidden"
