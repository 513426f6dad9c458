from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, FilteredRelation, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from pydantic import field_validator

from waymark import prepared
from waymark.access import actor_for, remember_actor
from waymark.accounts.models import ApiToken, hash_token
from waymark.accounts.services import issue_api_token
from waymark.organizations.models import Membership
from waymark.patients.models import Patient

# A token's last use is written at most this often, to keep reads cheap.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _token_with_actor(token_hash: str) -> ApiToken | None:
    """The active token with its user, the user's oldest active membership (the one
    `current_membership` chooses) with its organization, and the user's patient record
    there if there is one: one query for what every API request needs. A token works for
    every role; a member without a patient record simply has none."""
    return (
        ApiToken.objects.active()
        .annotate(
            membership=FilteredRelation(
                "user__memberships", condition=Q(user__memberships__is_active=True)
            ),
            own_record=FilteredRelation(
                "user__patient_records",
                condition=Q(user__patient_records__organization=F("membership__organization")),
            ),
        )
        # django-stubs does not know the FilteredRelation names above.
        .select_related("user", "membership__organization", "own_record")  # type: ignore[misc]
        .filter(token_hash=token_hash)
        .order_by("membership__created_at", "membership__id")
        .first()
    )


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = _token_with_actor(hash_token(token))
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            found.last_used_at = now
            # Its SQL built once; bookkeeping: its commit does not wait for the disk.
            prepared.update(found, ["last_used_at"], bookkeeping=True)
        request.user = found.user
        membership: Membership | None = getattr(found, "membership", None)
        own_record: Patient | None = getattr(found, "own_record", None)
        if membership is not None:
            membership.user = found.user
            if own_record is not None:
                own_record.organization = membership.organization
        remember_actor(request, membership, own_record=own_record)
        return found


router = Router(tags=["account"])


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    locale: str
    timezone: str


class MeOut(Schema):
    username: str
    name: str
    role: str
    organization: OrganizationOut | None


@router.get("/me", response=MeOut, summary="Who am I: role and organization")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(request)
    return {
        "username": actor.user.get_username(),
        "name": actor.user.get_full_name(),
        "role": actor.role,
        "organization": actor.organization,
    }


@router.post(
    "/noop",
    response={204: None},
    summary="Does nothing once signed in: a connectivity check (and the benchmark's baseline)",
)
def noop(request: HttpRequest) -> Status[None]:
    return Status(204, None)


class TokenIn(Schema):
    name: str = Field(max_length=80, description="Which device this token is for.")

    @field_validator("name")
    @classmethod
    def name_is_not_blank(cls, value: str) -> str:
        """Collapse runs of whitespace; a name of only spaces is no name."""
        name = " ".join(value.split())
        if not name:
            raise ValueError("Give the device a name.")
        return name


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret. Shown once; keep it on the device.")


@router.get("/tokens", response=list[TokenOut], summary="My device tokens")
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=actor_for(request).user)


@router.post(
    "/tokens",
    response={201: NewTokenOut},
    auth=SessionAuth(),
    summary="Create a device token (signed-in browser session only)",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, secret = issue_api_token(actor_for(request).user, payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "token": secret})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke a device token")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    get_object_or_404(ApiToken, pk=token_id, user=actor_for(request).user).revoke()
    return Status(204, None)
