"""Everything Waymark holds about one patient, as one JSON document (their right of access).

What counts as "their data", and why:

- **Included**: what they recorded (check-ins, reported use, milestones, the withdrawal
  log, "talk to staff" requests, coping-tool uses, questionnaire answers, drafts and
  requests, every version of their plan); what the care team recorded about them (stays
  in care, care team, medications, **signed** clinical notes and their addenda, alerts
  with their history and occurrences, the current risk assessment and its reasons):
  access rights in most jurisdictions (HIPAA 45 CFR 164.524's designated record set,
  UK GDPR article 15) cover the clinical record, and these notes are progress notes,
  not separately kept psychotherapy notes; and what concerns their account (profile,
  notifications, reminder choices, devices, and who has looked at their record).
- **Left out**: draft notes (a clinician's unfinished work, not yet part of the record);
  idempotency keys (a hash of a submission exported above, kept only to make retries
  safe); e-mail delivery rows (transport copies of the notifications already included);
  device token hashes; anything of another patient or organization: every query below is
  scoped to the patient AND their organization.

Staff appear by name (who wrote a note, who looked at the record): that is part of what
the patient is entitled to know. Other patients never appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import QuerySet

from waymark.accounts.models import ApiToken, User
from waymark.alerts.models import Alert, AlertAction, AlertOccurrence
from waymark.audit.models import AuditEvent
from waymark.checkins.models import (
    CheckIn,
    Milestone,
    StaffRequest,
    SubstanceUse,
    WithdrawalEntry,
)
from waymark.medications.models import Medication
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.notifications.models import Notification, NotificationPreference
from waymark.patients.models import CareTeamMember, Episode, Patient, ProgramStay
from waymark.plans.models import CopingUse, PlanVersion, SafetyPlanVersion
from waymark.questionnaires.models import Assignment, Draft, QuestionnaireResponse
from waymark.risk.models import PatientRisk

FORMAT_VERSION = 1
# Never exported, whatever the table: secrets, and the scoping columns every row shares.
NEVER = frozenset({"organization", "patient", "token_hash", "password"})


class _Rows:
    """Turns rows into plain dicts: people by name, shared things (a program, a
    questionnaire) by their name, the patient's own rows by id (to link them up)."""

    def __init__(self) -> None:
        self._names: dict[tuple[type[models.Model], Any], str] = {}

    def _name(self, model: type[models.Model], pk: Any) -> str | None:
        if pk is None:
            return None
        key = (model, pk)
        if key not in self._names:
            self._names[key] = str(model._default_manager.get(pk=pk))
        return self._names[key]

    def __call__(self, queryset: QuerySet[Any], *, skip: tuple[str, ...] = ()) -> list[dict]:
        fields = [
            f for f in queryset.model._meta.concrete_fields if f.name not in NEVER | set(skip)
        ]
        rows = []
        for obj in queryset:
            row: dict[str, Any] = {}
            for field in fields:
                value = getattr(obj, field.attname)
                related = field.related_model
                if related is None or related == "self":
                    row[field.name] = value
                elif any(f.name == "patient" for f in related._meta.get_fields()):
                    row[field.attname] = value  # one of the patient's own rows: its id
                else:
                    row[field.name] = self._name(related, value)
            rows.append(row)
        return rows


def _sections(patient: Patient) -> dict[str, Callable[[], QuerySet[Any]]]:
    org, user = patient.organization_id, patient.user_id

    def of(model: type[models.Model]) -> Callable[[], QuerySet[Any]]:
        return lambda: model._default_manager.filter(organization_id=org, patient=patient)

    return {
        "episodes": of(Episode),
        "program_stays": of(ProgramStay),
        "care_team": of(CareTeamMember),
        "checkins": of(CheckIn),
        "substance_uses": of(SubstanceUse),
        "milestones": of(Milestone),
        "withdrawal_log": of(WithdrawalEntry),
        "staff_requests": of(StaffRequest),
        "coping_tool_uses": of(CopingUse),
        "plan_versions": of(PlanVersion),
        "safety_plan_versions": of(SafetyPlanVersion),
        "questionnaire_responses": of(QuestionnaireResponse),
        "questionnaire_requests": of(Assignment),
        "questionnaire_drafts": of(Draft),
        "medications": of(Medication),
        "clinical_notes": lambda: of(ClinicalNote)().filter(signed_at__isnull=False),
        "clinical_note_addenda": of(NoteAddendum),
        "alerts": of(Alert),
        "alert_history": of(AlertAction),
        "alert_occurrences": of(AlertOccurrence),
        "risk_assessment": of(PatientRisk),
        "notifications": lambda: Notification.objects.filter(
            organization_id=org, recipient_id=user
        ),
        "notification_preferences": lambda: NotificationPreference.objects.filter(
            organization_id=org, user_id=user
        ),
        "devices": lambda: ApiToken.objects.filter(user_id=user),
    }


def _access_log(patient: Patient, rows: _Rows) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(organization_id=patient.organization_id, patient=patient)
    return [
        {**row, "description": event.describe()}
        for row, event in zip(rows(events, skip=("ip",)), events, strict=True)
    ]


def export_record(patient: Patient, *, now: dt.datetime) -> dict[str, Any]:
    """The whole record as one JSON-ready dict (dates and decimals as Python objects:
    serialise with DjangoJSONEncoder)."""
    rows = _Rows()
    user: User = patient.user
    document: dict[str, Any] = {
        "format": "waymark-patient-export",
        "format_version": FORMAT_VERSION,
        "exported_at": now,
        "organization": patient.organization.name,
        "patient": rows(Patient.objects.filter(pk=patient.pk))[0],
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined,
        },
    }
    for name, queryset in _sections(patient).items():
        document[name] = rows(queryset())
    document["access_log"] = _access_log(patient, rows)
    return document
