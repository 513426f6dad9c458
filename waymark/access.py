"""The one access layer: who may see which patient.

- a patient sees only their own record;
- a clinician sees the patients of their organization, or only those whose care
  team they are on when the organization chooses `CaseloadScope.CARE_TEAM`;
- an organization admin sees their organization;
- a supporter sees nothing yet (consent scopes come with the support app).

Another organization's object is always a 404, never a 403 that would confirm
it exists. Every read through `get_patient` by someone other than the patient
is written to the audit trail before the data is returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from waymark.audit.models import AuditAction
from waymark.audit.services import record
from waymark.organizations.models import CaseloadScope, Membership, Organization, Role
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient, PatientQuerySet

if TYPE_CHECKING:
    from waymark.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which organization, from which request."""

    user: User
    membership: Membership | None
    request_id: str = ""
    ip: str | None = None

    @property
    def role(self) -> str:
        return self.membership.role if self.membership else "none"

    @property
    def organization(self) -> Organization | None:
        return self.membership.organization if self.membership else None

    def is_patient(self, patient: Patient) -> bool:
        return patient.user_id == self.user.pk and self.role == Role.PATIENT


def actor_for(request: HttpRequest) -> Actor:
    """The actor behind a request (cached on the request)."""
    cached = getattr(request, "_waymark_actor", None)
    if cached is not None and cached.user == request.user:
        return cast(Actor, cached)
    actor = Actor(
        user=cast("User", request.user),
        membership=current_membership(request.user),
        request_id=getattr(request, "request_id", ""),
        ip=request.META.get("REMOTE_ADDR") or None,
    )
    request._waymark_actor = actor  # type: ignore[attr-defined]
    return actor


def visible_patients(actor: Actor) -> PatientQuerySet:
    """Every patient the actor may see. All patient queries start here."""
    membership = actor.membership
    if membership is None or not membership.is_active:
        return Patient.objects.none()
    patients = Patient.objects.filter(organization_id=membership.organization_id)
    if membership.role == Role.ADMIN:
        return patients
    if membership.role == Role.CLINICIAN:
        if membership.organization.caseload_scope == CaseloadScope.CARE_TEAM:
            patients = patients.filter(care_team__clinician=actor.user)
        return patients
    if membership.role == Role.PATIENT:
        return patients.filter(user=actor.user)
    return Patient.objects.none()


def get_patient(
    actor: Actor,
    patient_id: uuid.UUID | str,
    *,
    action: AuditAction = AuditAction.VIEW,
    object_type: str = "patient",
    object_id: str = "",
) -> Patient:
    """One patient the actor may see, or 404; the read is audited."""
    try:
        key = uuid.UUID(str(patient_id))
    except ValueError:
        raise Http404("No such patient.") from None
    patient = visible_patients(actor).select_related("organization").filter(pk=key).first()
    if patient is None:
        raise Http404("No such patient.")
    record(actor, action, patient=patient, object_type=object_type, object_id=object_id)
    return patient


def own_patient_record(actor: Actor) -> Patient:
    """The signed-in patient's own record."""
    patient = visible_patients(actor).select_related("organization").first()
    if patient is None or actor.role != Role.PATIENT:
        raise PermissionDenied("This page is for patients.")
    return patient


def role_required(*roles: Role) -> Callable[[View], View]:
    """Sign-in required (redirect), then one of `roles` in the organization (else 403)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if actor_for(request).role not in roles:
                raise PermissionDenied("Your role cannot open this page.")
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
