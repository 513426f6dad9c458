"""/api/v1/: check-ins, the withdrawal log and sobriety counters — a thin layer over
services.py with the same rules as the pages.

Patients read and write their own; clinicians and admins read a patient's check-ins
through the access layer (audited). Status codes: 201 created; 200 an existing object
(a retry with the same idempotency key, or today's check-in changed); 409 conflicts
(a key reused for other content, a day that is closed, the log outside detox); 422
invalid answers, naming the field.

Path parameters of paginated views are resolved in ninja's module, so this file keeps
real (not postponed) annotations.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status
from ninja.pagination import paginate

from waymark.access import Capability, actor_for, can, get_patient, own_patient_record, require
from waymark.audit.models import AuditAction, AuditObject
from waymark.checkins import queries
from waymark.checkins.guidance import LOWER_TOLERANCE_ADVICE, MEDICAL_REVIEW_ADVICE
from waymark.checkins.models import CheckIn, Milestone, SubstanceUse, WithdrawalEntry
from waymark.checkins.schemas import (
    CheckInIn,
    CheckInOut,
    CheckInSavedOut,
    CountersOut,
    WithdrawalIn,
    WithdrawalOut,
    WithdrawalSavedOut,
)
from waymark.checkins.services import add_withdrawal_entry, submit_checkin
from waymark.checkins.sobriety import counters_for, milestone_name
from waymark.errors import ErrorOut, ServiceError
from waymark.organizations.crisis import crisis_help_for
from waymark.pager import Pagination
from waymark.patients.models import Patient
from waymark.risk.rules import after_a_break, substance_name
from waymark.risk.services import settings_for
from waymark.risk.snapshot import lapses_between

router = Router(tags=["checkins"])

SAVED = {200: CheckInSavedOut, 201: CheckInSavedOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _patient(request: HttpRequest) -> Patient:
    actor = actor_for(request)
    if not can(actor, Capability.USE_PATIENT_APP):
        raise PermissionDenied(
            "Only patients have check-ins of their own. Staff read a patient's check-ins at "
            "/api/v1/patients/{patient_id}/checkins."
        )
    return own_patient_record(actor)


def _checkins(patient: Patient) -> Any:
    return (
        CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
        .prefetch_related("uses")
        .order_by("-local_date")
    )


def _saved(checkin: CheckIn, patient: Patient) -> CheckIn:
    """The stored check-in, with the help to show at once when an answer calls for it."""
    crisis_help, medical_advice = None, None
    if checkin.safety_concern:
        crisis_help = crisis_help_for(patient, after_safety_answer=True)
    if checkin.symptoms:
        medical_advice = MEDICAL_REVIEW_ADVICE
    checkin.crisis_help = crisis_help  # type: ignore[attr-defined]
    checkin.medical_advice = medical_advice  # type: ignore[attr-defined]
    checkin.lower_tolerance = _lower_tolerance(checkin, patient)  # type: ignore[attr-defined]
    return checkin


def _lower_tolerance(checkin: CheckIn, patient: Patient) -> dict[str, object] | None:
    """The overdose guidance the result page shows, when this check-in's lapse follows a break."""
    if not checkin.uses.exists():
        return None
    settings = settings_for(patient.organization_id)
    after = [
        substance_name(use.substance)
        for use in lapses_between(patient, checkin.local_date, checkin.local_date)
        if after_a_break(use, settings)
    ]
    if not after:
        return None
    return {
        "substances": after,
        "message": LOWER_TOLERANCE_ADVICE,
        "emergency_number": crisis_help_for(patient).emergency_number,
        "learn_more": reverse("content:article", args=["after-a-break-overdose-risk"]),
    }


@router.post("/checkins", response=SAVED, summary="Submit or change my check-in for a day")
def create_checkin(request: HttpRequest, payload: CheckInIn) -> Status[Any]:
    """One check-in per local day; today's can be changed until midnight (a new key);
    yesterday's can be filled in late. A safety answer of yes returns `crisis_help`."""
    patient = _patient(request)
    if payload.patient_id is not None and payload.patient_id != patient.pk:
        raise ServiceError(
            "You can only submit your own check-ins.",
            field="patient_id",
            status=403,
            code="not_yours",
        )
    result = submit_checkin(
        patient, payload.to_data(patient.local_today()), key=payload.idempotency_key
    )
    return Status(201 if result.created else 200, _saved(result.checkin, patient))


@router.get("/checkins", response=list[CheckInOut], summary="My check-ins, newest first")
@paginate(Pagination)
def list_checkins(request: HttpRequest) -> Any:
    return _checkins(_patient(request))


@router.get(
    "/patients/{patient_id}/checkins",
    response=list[CheckInOut],
    summary="A patient's check-ins (clinicians and admins; audited)",
)
@paginate(Pagination)
def list_patient_checkins(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.VIEW_PATIENT_RECORD)
    patient = get_patient(
        actor, patient_id, action=AuditAction.VIEW, object_type=AuditObject.CHECKINS
    )
    return _checkins(patient)


@router.post(
    "/withdrawal-entries",
    response={200: WithdrawalSavedOut, 201: WithdrawalSavedOut, 403: ErrorOut, 409: ErrorOut,
              422: ErrorOut},
    summary="Add to my withdrawal log (while in detox)",
)  # fmt: skip
def create_withdrawal_entry(request: HttpRequest, payload: WithdrawalIn) -> Status[Any]:
    """A symptom rated severe alerts the care team at once; `care_team_told` says so."""
    patient = _patient(request)
    result = add_withdrawal_entry(patient, payload.to_data(), key=payload.idempotency_key)
    result.entry.care_team_told = result.care_team_told  # type: ignore[attr-defined]
    return Status(201 if result.created else 200, result.entry)


@router.get(
    "/withdrawal-entries", response=list[WithdrawalOut], summary="My withdrawal log, newest first"
)
@paginate(Pagination)
def list_withdrawal_entries(request: HttpRequest) -> Any:
    patient = _patient(request)
    return (
        WithdrawalEntry.objects.filter(organization_id=patient.organization_id, patient=patient)
        .select_related("stay", "patient")
        .order_by("-recorded_at")
    )


@router.get("/me/counters", response=CountersOut, summary="My sobriety counters and milestones")
def my_counters(request: HttpRequest) -> dict[str, Any]:
    patient = _patient(request)
    today = patient.local_today()
    counters = counters_for(patient, today)
    milestones = Milestone.objects.filter(organization_id=patient.organization_id, patient=patient)
    return {
        "checkin_streak": queries.checkin_streak(patient, today),
        "counters": [
            {
                "substance": counter.substance,
                "label": counter.label,
                "days_since_last_use": counter.days_since_last_use,
                "current_streak": counter.streaks.current,
                "longest_streak": counter.streaks.longest,
                "total_days_abstinent": counter.days_without,
                "days_without": counter.days_without,
                "days_unknown": counter.days_unknown,
                "amount_per_day": counter.amount_per_day,
                "money_saved": counter.money_saved,
                "counting_from": counter.streaks.counting_from,
                "last_use_on": counter.last_use_on,
                "next_milestone": _milestone(*counter.next_milestone),
                "lapses": [_lapse(lapse) for lapse in counter.lapses],
            }
            for counter in counters
        ],
        "milestones_reached": [_milestone(m.days, m.reached_on) for m in milestones],
    }


def _lapse(lapse: SubstanceUse) -> dict[str, Any]:
    return {"id": lapse.pk, "date": lapse.used_on, "amount": lapse.amount, "note": lapse.note}


def _milestone(days: int, on: Any) -> dict[str, Any]:
    return {"days": days, "name": milestone_name(days), "on": on}
