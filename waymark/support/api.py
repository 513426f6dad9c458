"""/api/v1/support/people/{patient_id}: what a patient shares with the signed-in supporter
now, a thin layer over the same decision as the pages (support/access.py). Each read is
recorded as disclosures; no consent, an ended one, or no such patient: the same 404."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from waymark.access import Capability, actor_for, require
from waymark.support.access import REDISCLOSURE_NOTICE, shared_patient
from waymark.support.shared import sections_for

router = Router(tags=["support"])


class DayOut(Schema):
    day: dt.date
    checked_in: bool


class SharedOut(Schema):
    patient_id: uuid.UUID
    name: str
    scopes: list[str] = Field(description="What the consent shares now; only these are filled")
    milestones: list[str]
    checkins: list[DayOut] = Field(description="Done or not done: never the answers")
    weekly_summary: str
    how_to_help: str
    open_reach_outs: int
    consent_signed_at: dt.datetime
    notice: str = Field(description="42 CFR §2.32: the redisclosure notice")


@router.get(
    "/support/people/{patient_id}",
    response=SharedOut,
    summary="What a person shares with you as their supporter, now (recorded as disclosures)",
)
def supported_person(request: HttpRequest, patient_id: uuid.UUID) -> Any:
    actor = require(actor_for(request), Capability.SUPPORT_SOMEONE)
    now = timezone.now()
    patient = shared_patient(actor, patient_id, now)
    shown = sections_for(actor, patient, now)
    return {
        "patient_id": patient.pk,
        "name": patient.preferred_name,
        "scopes": sorted(str(scope) for scope in shown.scopes),
        "milestones": shown.milestones,
        "checkins": [{"day": day, "checked_in": done} for day, done in shown.days],
        "weekly_summary": shown.summary,
        "how_to_help": shown.how_to_help,
        "open_reach_outs": len(shown.open_requests),
        "consent_signed_at": shown.consent.signed_at,
        "notice": REDISCLOSURE_NOTICE,
    }
