"""The one access layer: who may see which patient.

- a patient sees only their own record;
- a clinician sees the patients of their organization, or only those whose care
  team they are on when the organization chooses `CaseloadScope.CARE_TEAM`;
- an organization admin sees their organization;
- a supporter sees no patient here: what a patient shares with a supporter is decided,
  scope by scope, from the patient's signed consents by `waymark.support.access.decide`
  (issue 14), for those whose role may `SUPPORT_SOMEONE`.

Another organization's object is always a 404, never a 403 that would confirm
it exists. Every read through `get_patient` by someone other than the patient
is written to the audit trail before the data is returned.

What each role may DO is one table here, `ROLE_CAPABILITIES` (role → named
capabilities). Views ask with `@capability_required(...)`, services and the API
with `require(...)`, templates with the `can` flags; nothing else in the codebase
compares roles (waymark/tests/test_access_policy.py enforces that).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record, record_list
from waymark.errors import ServiceError
from waymark.organizations.models import CaseloadScope, Membership, Organization, Role
from waymark.organizations.services import current_membership
from waymark.patients.models import Patient, PatientQuerySet
from waymark.throttling import client_ip

if TYPE_CHECKING:
    from waymark.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])
Item = TypeVar("Item")
Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which organization, from which request."""

    user: User
    membership: Membership | None
    request_id: str = ""
    ip: str | None = None
    client_request_id: str = ""  # the client's own X-Request-ID, kept beside ours
    # The patient record of `user` in the membership's organization, when the sign-in
    # loaded it with the membership (a device token, in one query); None: not loaded.
    own_record: Patient | None = field(default=None, compare=False, repr=False)

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
    return remember_actor(request, current_membership(request.user))


def remember_actor(
    request: HttpRequest, membership: Membership | None, *, own_record: Patient | None = None
) -> Actor:
    """The request's actor, from a membership the caller has already read (the oldest
    active one, as `current_membership` chooses) and maybe the patient record in its
    organization; cached for `actor_for`. A device token reads all three in one query."""
    actor = Actor(
        user=cast("User", request.user),
        membership=membership,
        request_id=getattr(request, "request_id", ""),
        ip=client_ip(request) or None,  # behind trusted proxies only (issue 12, point 6)
        client_request_id=getattr(request, "client_request_id", ""),
        own_record=own_record,
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
    object_type: AuditObject = AuditObject.PATIENT,
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


def one_of(rows: QuerySet[Row], pk: object, missing: str) -> Row:
    """Row `pk` of `rows`, a query the caller has already scoped (one patient's, one
    organization's), or 404 saying `missing`: another organization's row does not exist."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404(missing)
    return row


def page_and_audit(
    actor: Actor,
    items: Sequence[Item] | QuerySet[Any, Item],
    request: HttpRequest,
    *,
    object_type: AuditObject,
    per_page: int,
    patient_of: Callable[[Item], Patient] | None = None,
) -> Page[Item]:
    """The page of `items` that `?page=` asks for, with every patient on it audited
    (one LIST entry each) before it is shown. `patient_of` finds the patient of an
    item that is not one (an alert's patient). The page's `object_list` is a list."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    shown = page.object_list if patient_of is None else map(patient_of, page.object_list)
    audit_shown(actor, cast(Iterable[Patient], shown), object_type=object_type)
    return page


def audit_shown(actor: Actor, patients: Iterable[Patient], *, object_type: AuditObject) -> None:
    """The audit part of `page_and_audit`, for a list that is not paged here (the census,
    the API's and the admin's own pagination): one LIST entry per patient shown."""
    unique = {patient.pk: patient for patient in patients}
    record_list(actor, unique.values(), object_type=object_type)


def own_patient_record(actor: Actor) -> Patient:
    """The signed-in patient's own record (403 unless they may USE_PATIENT_APP)."""
    if actor.own_record is not None and can(actor, Capability.USE_PATIENT_APP):
        return actor.own_record  # read with the membership: what visible_patients finds
    patient = visible_patients(actor).select_related("organization").first()
    if patient is None or not can(actor, Capability.USE_PATIENT_APP):
        raise PermissionDenied("This page is for patients.")
    return patient


# --- What each role may do --------------------------------------------------------------


class Capability(models.TextChoices):
    """Something a person may do. The label completes "Your role cannot …"."""

    USE_PATIENT_APP = "use_patient_app", "use a patient's own pages"
    VIEW_CASELOAD = "view_caseload", "see the caseload"
    VIEW_PATIENT_RECORD = "view_patient_record", "see a patient's record"
    ACT_ON_ALERTS = "act_on_alerts", "see and act on alerts"
    READ_NOTES = "read_notes", "read clinical notes"
    WRITE_NOTES = "write_notes", "write clinical notes"
    RECORD_MEDICATIONS = "record_medications", "record medications"
    MANAGE_TRANSITIONS = "manage_transitions", "admit, move or discharge a patient"
    ASSIGN_QUESTIONNAIRES = "assign_questionnaires", "ask a patient to fill in a questionnaire"
    EDIT_PLAN_FOR_PATIENT = "edit_plan_for_patient", "see or change a patient's plan"
    READ_QUESTIONNAIRES = "read_questionnaires", "read the questionnaires"
    READ_LEARN = "read_learn", "read the Learn library"
    READ_EVIDENCE = "read_evidence", "read the evidence library for clinicians"
    USE_NOTIFICATIONS = "use_notifications", "use notifications"
    ADMINISTER_ORGANIZATION = "administer_organization", "administer the organization"
    # Issue 14: a supporter's own pages; each read is then a consent decision per scope.
    SUPPORT_SOMEONE = "support_someone", "use a supporter's pages"
    # Issue 17: appointments and group sessions.
    SCHEDULE_APPOINTMENTS = "schedule_appointments", "schedule, change or cancel appointments"
    RUN_GROUPS = "run_groups", "run groups and record their attendance"
    # Issue 18: the organization's outcomes dashboard and its exports.
    VIEW_OUTCOMES = "view_outcomes", "see the organization's outcomes"
    # Issue 17: secure messaging between a patient and their care team.
    MESSAGE_CARE_TEAM = "message_care_team", "write to your care team"
    MESSAGE_PATIENTS = "message_patients", "read or write messages with patients"


_C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.PATIENT: frozenset(
        {
            _C.USE_PATIENT_APP,
            _C.READ_QUESTIONNAIRES,
            _C.READ_LEARN,
            _C.USE_NOTIFICATIONS,
            _C.MESSAGE_CARE_TEAM,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            _C.VIEW_CASELOAD,
            _C.VIEW_PATIENT_RECORD,
            _C.ACT_ON_ALERTS,
            _C.READ_NOTES,
            _C.WRITE_NOTES,
            _C.RECORD_MEDICATIONS,
            _C.MANAGE_TRANSITIONS,
            _C.ASSIGN_QUESTIONNAIRES,
            _C.EDIT_PLAN_FOR_PATIENT,
            _C.READ_QUESTIONNAIRES,
            _C.READ_LEARN,
            _C.READ_EVIDENCE,
            _C.USE_NOTIFICATIONS,
            _C.SCHEDULE_APPOINTMENTS,
            _C.RUN_GROUPS,
            _C.VIEW_OUTCOMES,
            _C.MESSAGE_PATIENTS,
        }
    ),
    Role.ADMIN: frozenset(
        {
            _C.VIEW_CASELOAD,
            _C.VIEW_PATIENT_RECORD,
            _C.ACT_ON_ALERTS,
            _C.READ_NOTES,
            _C.MANAGE_TRANSITIONS,
            _C.READ_QUESTIONNAIRES,
            _C.READ_LEARN,
            _C.READ_EVIDENCE,
            _C.USE_NOTIFICATIONS,
            _C.ADMINISTER_ORGANIZATION,
            _C.VIEW_OUTCOMES,
        }
    ),
    Role.SUPPORTER: frozenset({_C.SUPPORT_SOMEONE, _C.READ_LEARN, _C.USE_NOTIFICATIONS}),
}
"""The policy, role by role.

- A **patient** uses their own pages (check-ins, plan, coping tools, questionnaires,
  who looked at their record) and reads the questionnaires offered to them.
- A **clinician** sees the caseload and the records of the patients they may see
  (`visible_patients`), acts on alerts, reads and writes clinical notes, records
  medications, admits, moves and discharges, asks for questionnaires, and sees and
  changes a patient's relapse-prevention plan; schedules appointments and runs groups
  (attendance and the group note).
- An **organization admin** sees what a clinician sees, acts on alerts and manages
  transitions, and administers the organization (the Django admin), but writes nothing
  clinical: no notes, medications, questionnaire requests or plans.
- A **supporter** uses their own pages (`SUPPORT_SOMEONE`); what they see of a patient is
  only what that patient's current consent allows, decided per scope and recorded as a
  disclosure (`waymark.support.access`). With no consent, the patient does not exist
  for them (404).
- Messages (issue 17): a patient writes to their care team (MESSAGE_CARE_TEAM); a
  clinician reads and writes messages with the patients they may see (MESSAGE_PATIENTS).
  An organization admin writes nothing clinical and reads no messages; a supporter never
  sees a message.
- Everyone reads the Learn library and their own notifications; clinicians and
  organization admins also read its evidence library for clinicians (READ_EVIDENCE), which
  patients and supporters see only where the organization republishes a note for them.
- Clinicians and organization admins see the organization's outcomes (VIEW_OUTCOMES),
  counted over the patients they may see.

Only an active membership counts: a deactivated member can do nothing.
"""


def capabilities_of(actor: Actor) -> frozenset[Capability]:
    membership = actor.membership
    if membership is None or not membership.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(membership.role, frozenset())


def can(actor: Actor, capability: Capability) -> bool:
    """Whether the actor, through an active membership, may do `capability`."""
    return capability in capabilities_of(actor)


def roles_with(capability: Capability) -> list[str]:
    """The roles that may do `capability` (to choose people, e.g. who an alert can go to)."""
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]


class NotAllowed(ServiceError, PermissionDenied):
    """`require`'s refusal: a ServiceError (403, "forbidden") for services and the API, and
    a PermissionDenied, so a page that does not catch it still answers 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=403, code="forbidden")


def require(actor: Actor, capability: Capability, *, patient: Patient | None = None) -> Actor:
    """The actor, if they may do `capability` (for `patient`: one of their organization's
    patients); otherwise `NotAllowed`. For services and the API; returns the actor."""
    if not can(actor, capability):
        raise NotAllowed(f"Your role cannot {capability.label}.")
    membership = actor.membership
    assert membership is not None  # can() needs one
    if patient is not None and membership.organization_id != patient.organization_id:
        raise NotAllowed("This patient is not in your organization.")
    return actor


def capability_required(capability: Capability) -> Callable[[View], View]:
    """A page's guard: sign-in required (redirect), then `capability` (else 403)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(actor_for(request), capability):
                raise PermissionDenied(f"Your role cannot {capability.label}.")
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator


# --- Issue 12 point 1: who must sign in with a second factor ---------------------------

ROLES_WITH_SECOND_FACTOR: frozenset[str] = frozenset({Role.CLINICIAN, Role.ADMIN})
"""Staff see many patients' records: their sign-in needs a second factor (TOTP, or a
recovery code), enrolled on first sign-in. Patients and supporters may enrol from their
account page; once they have, their sign-in asks for it too (the session says so)."""


def must_use_second_factor(actor: Actor) -> bool:
    """Whether the actor's sign-in needs a second factor whatever they chose: staff of an
    organization, and the operators who use the admin without one."""
    user = actor.user
    return bool(user.is_superuser or user.is_staff) or actor.role in ROLES_WITH_SECOND_FACTOR


def get_staff_member(actor: Actor, user_id: int) -> User:
    """A clinician or admin of the actor's own organization, for an admin to help with their
    account (ADMINISTER_ORGANIZATION); anyone else, another organization's included, is 404."""
    from waymark.accounts.models import User

    membership = actor.membership
    if membership is None or not can(actor, Capability.ADMINISTER_ORGANIZATION):
        raise NotAllowed(f"Your role cannot {Capability.ADMINISTER_ORGANIZATION.label}.")
    member = (
        User.objects.filter(
            pk=user_id,
            memberships__organization_id=membership.organization_id,
            memberships__role__in=ROLES_WITH_SECOND_FACTOR,
        )
        .distinct()
        .first()
    )
    if member is None:
        raise Http404("No such member of staff.")
    return member
