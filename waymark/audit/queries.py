"""Reading the audit trail for "who has looked at my record".

A clinician's caseload refreshes itself every minute and writes a LIST entry for each
patient shown, so a patient could find dozens of identical rows a day. Their page
groups those: one row per person, list and day (in the patient's time zone) — "Bob saw
your name on the caseload 14 times". Every other entry (opening the record, a change,
an export) stays a row of its own.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, Case, Count, F, Max, Min, Value, When
from django.db.models.functions import TruncDate

from waymark.accounts.models import User
from waymark.audit.models import AuditAction, AuditEvent, describe
from waymark.patients.models import Patient

PAGE_SIZE = 50


@dataclass(frozen=True)
class AccessEntry:
    """One row of the page: an entry, or a person's list views of one day."""

    actor: User | None  # None: Waymark itself (a scheduled job)
    actor_role: str
    action: str
    object_type: str
    times: int
    first_at: dt.datetime
    last_at: dt.datetime

    def describe(self) -> str:
        return describe(self.action, self.object_type, self.times)


def access_log(patient: Patient, page_number: Any) -> Page[AccessEntry]:
    """The page `page_number` of the patient's entries, newest first, list views grouped."""
    day = TruncDate("at", tzinfo=zoneinfo.ZoneInfo(patient.timezone))
    # List entries share the group key 0; any other entry is a group of its own (its id).
    own_row = Case(
        When(action=AuditAction.LIST, then=Value(0)),
        default=F("id"),
        output_field=BigIntegerField(),
    )
    rows = (
        AuditEvent.objects.filter(organization_id=patient.organization_id, patient=patient)
        .annotate(day=day, own_row=own_row)
        .values("actor", "actor_role", "action", "object_type", "day", "own_row")
        .annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at"))
        .order_by("-last_at", "-own_row")
    )
    paginator: Paginator[Any] = Paginator(rows, PAGE_SIZE)  # of rows; the page, of entries
    page = paginator.get_page(page_number)
    found = list(page.object_list)
    people = User.objects.in_bulk({row["actor"] for row in found if row["actor"] is not None})
    entries = [
        AccessEntry(
            actor=people.get(row["actor"]),
            actor_role=row["actor_role"],
            action=row["action"],
            object_type=row["object_type"],
            times=row["times"],
            first_at=row["first_at"],
            last_at=row["last_at"],
        )
        for row in found
    ]
    return Page(entries, page.number, paginator)
