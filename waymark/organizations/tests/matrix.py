"""Shared pieces of the URL × persona access matrix, keyed by capability.

Each app lists its own URLs in `waymark/<app>/tests/access_rows.py` as
`ROWS: dict[str, Row]`; organizations/tests/test_access_matrix.py collects them all
and fails on any URL that no app lists.

A row says what its URL needs — a `Capability` from waymark/access.py, or only
`Access.SIGNED_IN` / `Access.PUBLIC` — and whose data it reaches (`Target`). The
status each persona expects is then computed, never written out:

- anonymous: 302 to sign in (a page) or 401 (the API), unless the URL is public;
- a persona whose role lacks the capability (`ROLE_CAPABILITIES`): 403;
- a persona who may, but cannot reach the target (another organization's clinician
  for Alice's record, Dana for Alice's check-in, anyone but Bob for Bob's token): 404;
- everyone else: the row's `ok` status.

`overrides` are for answers the DATA decides, not the policy (Dana has nothing due, so
the form sends her back; Alice is not in detox): they may never turn a 403 into
something else or anything into a 403 (test_access_matrix.py checks).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from waymark.access import ROLE_CAPABILITIES, Capability
from waymark.accounts.models import ApiToken, User
from waymark.organizations.models import Role
from waymark.patients.models import Patient


@dataclass(frozen=True)
class Persona:
    """A test persona: their role, and whose data they can reach."""

    role: Role | None
    reaches_alice: bool = False  # Alice herself, or staff of her organization
    is_bob: bool = False


PERSONA_DETAILS: dict[str, Persona] = {
    "anonymous": Persona(None),
    "patient": Persona(Role.PATIENT, reaches_alice=True),
    "other_patient": Persona(Role.PATIENT),
    "clinician": Persona(Role.CLINICIAN, reaches_alice=True, is_bob=True),
    "other_org_clinician": Persona(Role.CLINICIAN),
    "org_admin": Persona(Role.ADMIN, reaches_alice=True),
    "supporter": Persona(Role.SUPPORTER),
}
PERSONAS = tuple(PERSONA_DETAILS)


class Access(enum.Enum):
    """What a URL needs when it needs no capability."""

    PUBLIC = "public"  # nothing: anonymous visitors included
    SIGNED_IN = "signed in"  # a signed-in person, whatever their role (or none)


class Target(enum.Enum):
    """Whose data the URL reaches."""

    NONE = "none"  # nobody's in particular: a list, a form, the person's own things
    ALICE = "alice"  # Alice's record or one of her objects
    BOB = "bob"  # one of Bob's own objects (his device token, his notification)


@dataclass
class World:
    users: dict[str, User | None]
    alice: Patient
    bobs_token: ApiToken

    def user(self, persona: str) -> User:
        """The persona's user (every persona but the anonymous visitor has one)."""
        user = self.users[persona]
        assert user is not None, persona
        return user


def persona_world(
    alice: Patient, dana: Patient, bob: User, carol: User, olivia: User, sam: User
) -> World:
    """The matrix's world: each persona's user, Alice, and a device token of Bob's."""
    from waymark.accounts.services import issue_api_token

    token, _ = issue_api_token(bob, "Bob's phone")
    users: dict[str, User | None] = {
        "anonymous": None,
        "patient": alice.user,
        "other_patient": dana.user,
        "clinician": bob,
        "other_org_clinician": carol,
        "org_admin": olivia,
        "supporter": sam,
    }
    return World(users=users, alice=alice, bobs_token=token)


def build_persona_world() -> World:
    """The same world built without fixtures, by the functions the persona fixtures call
    (waymark/conftest.py), in their order: for a module-scoped world (`shared_world`)."""
    from django.test import override_settings

    from waymark.conftest import (
        FAST_HASHERS,
        create_alice,
        create_dana,
        create_harbour,
        create_northstar,
        make_member,
    )

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        northstar = create_northstar()
        bob = make_member(northstar, "bob", Role.CLINICIAN)
        alice = create_alice(northstar, bob)
        dana = create_dana(northstar)
        carol = make_member(create_harbour(), "carol", Role.CLINICIAN)
        olivia = make_member(northstar, "olivia", Role.ADMIN)
        sam = make_member(northstar, "sam", Role.SUPPORTER)
        return persona_world(alice, dana, bob, carol, olivia, sam)


@dataclass
class Row:
    """One URL: what it needs, whose data it reaches, and how to call it."""

    needs: Capability | Access
    target: Target = Target.NONE
    ok: int = 200
    method: str = "get"
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    data: dict[str, Any] = field(default_factory=dict)
    wrong_method: str | None = "post"
    overrides: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = self.overrides.keys() - PERSONA_DETAILS.keys()
        assert not unknown, f"unknown personas in overrides: {unknown}"

    def allows(self, persona: str) -> bool:
        """Whether the policy lets this persona's role through (the capability check)."""
        if isinstance(self.needs, Access):
            return True
        role = PERSONA_DETAILS[persona].role
        return role is not None and self.needs in ROLE_CAPABILITIES[role]

    def reaches(self, persona: str) -> bool:
        details = PERSONA_DETAILS[persona]
        if self.target is Target.ALICE:
            return details.reaches_alice
        if self.target is Target.BOB:
            return details.is_bob
        return True

    def derived(self, persona: str, *, api: bool) -> int:
        """The status the policy alone gives this persona."""
        if persona == "anonymous" and self.needs is not Access.PUBLIC:
            return 401 if api else 302
        if not self.allows(persona):
            return 403
        return self.ok if self.reaches(persona) else 404

    def expect(self, *, api: bool) -> dict[str, int]:
        return {
            persona: self.overrides.get(persona, self.derived(persona, api=api))
            for persona in PERSONAS
        }


def posted(
    needs: Capability | Access, *, ok: int = 302, wrong_method: str | None = "get", **row: Any
) -> Row:
    """A URL only POSTed to (a form's action, an API command): a GET is refused."""
    return Row(needs, ok=ok, method="post", wrong_method=wrong_method, **row)


def created(needs: Capability | Access, **row: Any) -> Row:
    """An API collection POSTed to, answering 201 Created: a PUT is refused."""
    return Row(needs, ok=201, method="post", wrong_method="put", **row)


def expected(name: str, row: Row) -> dict[str, int]:
    """Each persona's status for the URL called `name` (API URLs answer 401, not 302)."""
    return row.expect(api=name.startswith("api:"))


def alice_id(world: World) -> dict[str, Any]:
    return {"patient_id": world.alice.pk}


def bobs_token(world: World) -> dict[str, Any]:
    return {"token_id": world.bobs_token.pk}


def respond(client: Any, method: str, url: str, data: dict[str, Any]) -> Any:
    """The matrix's request: JSON to the API, a form post elsewhere."""
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, data)


# Issue 12 points 3 and 7, checked on every matrix answer (test_access_matrix.TestEveryUrl):
# what anonymous visitors get that the view chose itself (none holds anyone's data: the
# app's manifest and service worker, checkins/pwa.py; the general crisis help), and the
# pages that end the session (their answer goes to nobody).
PUBLIC_CACHEABLE = {
    "checkins:manifest": {"max-age=3600"},
    "checkins:service_worker": {"no-cache"},
    "help_offline": {"private", "no-cache"},
}
SIGN_OUT = {"accounts:logout", "accounts:sign_out_everywhere"}


def assert_private_answer(name: str, persona: str, response: Any, world: World) -> None:
    """No answer with anyone's data may be cached, each names the offline cache of the
    person it is for and nobody else's, and each carries the two policies."""
    from waymark.response_headers import CACHE_KEY_HEADER, offline_cache_key

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    if persona == "anonymous" and name in PUBLIC_CACHEABLE:
        assert cache_control == PUBLIC_CACHEABLE[name]
    else:
        assert {"no-store", "private"} <= cache_control, (persona, name, cache_control)
        assert not cache_control & {"public", "max-age=3600"}
    user = world.users[persona]
    if user is None:
        assert CACHE_KEY_HEADER not in response
    elif name not in SIGN_OUT:
        # The session's person; after signing out there is nobody.
        assert response[CACHE_KEY_HEADER] == offline_cache_key(user.pk)
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response
