"""The caseload a page at a time, by keyset ("after this row"), never by OFFSET or COUNT.

The order is the safety net's (DESIGN): an unacknowledged urgent alert first, then the
rolling level or an unacknowledged alert's, whichever is higher, then the most recent
activity, then the patient's id (unique, so every row has one place). Those are the
PatientRisk columns of the index `patientrisk_caseload_keyset`, so a page reads about
`per_page` index entries whatever the size of the organization. Patients without a
PatientRisk row (never assessed: no data, no alert) come last, by name then id.

The cursor names the last row shown; the next page starts strictly after it. What a
cursor means when risk changes between two pages: each page is the order as it is
when that page is read. A patient whose risk rose above the cursor is not repeated on
later pages (they are now near the top: the first page, which refreshes itself every
minute, shows them); a patient whose risk fell below the cursor is shown again further
down. No patient who stayed put is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet

from waymark.patients.models import Patient


@dataclass(frozen=True)
class Cursor:
    """The last row of a page. `assessed` False: the segment without a PatientRisk row."""

    assessed: bool
    urgent: bool = False
    level: int = 0
    activity: dt.datetime | None = None
    name: str = ""
    patient_id: uuid.UUID | None = None

    def encode(self) -> str:
        fields = [
            self.assessed, self.urgent, self.level,
            self.activity.isoformat() if self.activity else None, self.name, str(self.patient_id),
        ]  # fmt: skip
        raw = json.dumps(fields, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None (the first page) for anything malformed."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            assessed, urgent, level, activity, name, patient_id = json.loads(raw)
            return cls(
                assessed=bool(assessed), urgent=bool(urgent), level=int(level),
                activity=dt.datetime.fromisoformat(activity) if activity else None,
                name=str(name), patient_id=uuid.UUID(str(patient_id)),
            )  # fmt: skip
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            return None

    @classmethod
    def after(cls, patient: Patient) -> Cursor:
        """The cursor just after `patient`, a row of `queries.caseload`."""
        row = patient.__dict__
        if row["risk_id"] is None:
            return cls(assessed=False, name=patient.preferred_name, patient_id=patient.pk)
        return cls(
            assessed=True, urgent=row["order_urgent"], level=row["order_level"],
            activity=row["last_activity_at"], patient_id=patient.pk,
        )  # fmt: skip


@dataclass
class CaseloadPage:
    """One page: its rows, the cursor of the next page (None on the last) and whether
    this is the first page. Iterating a page iterates its rows."""

    object_list: list[Patient]
    next_cursor: str | None
    is_first: bool
    is_keyset = True  # for templates/includes/pager.html

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _after_assessed(cursor: Cursor) -> Q:
    """Rows strictly after `cursor` in (urgent desc, level desc, activity desc nulls
    last, id asc), spelled out column by column (databases differ on row comparisons)."""
    same_activity = (
        Q(last_activity_at__isnull=True)
        if cursor.activity is None
        else Q(last_activity_at=cursor.activity)
    )
    later_activity = (
        Q(pk__in=[])
        if cursor.activity is None
        else Q(last_activity_at__lt=cursor.activity) | Q(last_activity_at__isnull=True)
    )
    same_level = Q(order_urgent=cursor.urgent, order_level=cursor.level)
    return (
        Q(order_urgent__lt=cursor.urgent)
        | Q(order_urgent=cursor.urgent, order_level__lt=cursor.level)
        | (same_level & later_activity)
        | (same_level & same_activity & Q(order_patient__gt=cursor.patient_id))
    )


def _activity_desc_nulls_last(alias: str) -> OrderBy:
    """Most recent first, never active last. SQLite's DESC already puts nulls last, and
    its planner walks the index only for an ORDER BY without a NULLS clause."""
    if connections[alias].vendor == "sqlite":
        return F("last_activity_at").desc()
    return F("last_activity_at").desc(nulls_last=True)


def caseload_page(
    rows: QuerySet[Patient], *, organization_id: int, cursor: Cursor | None, per_page: int
) -> CaseloadPage:
    """The page of `rows` (from `queries.caseload`) after `cursor`: at most two queries,
    the second only when the assessed patients run out on this page."""
    page: list[Patient] = []
    if cursor is None or cursor.assessed:
        assessed = rows.filter(Q(risk_organization_id=organization_id)).order_by(
            F("order_urgent").desc(),
            F("order_level").desc(),
            _activity_desc_nulls_last(rows.db),
            F("order_patient"),  # the index's column: the same value as the patient's pk
        )
        if cursor is not None:
            assessed = assessed.filter(_after_assessed(cursor))
        page = list(assessed[: per_page + 1])
    if len(page) <= per_page:
        unassessed = rows.filter(Q(risk_id__isnull=True)).order_by("preferred_name", "pk")
        if cursor is not None and not cursor.assessed:
            unassessed = unassessed.filter(
                Q(preferred_name__gt=cursor.name)
                | Q(preferred_name=cursor.name, pk__gt=cursor.patient_id)
            )
        page += list(unassessed[: per_page + 1 - len(page)])
    more = len(page) > per_page
    page = page[:per_page]
    return CaseloadPage(
        object_list=page,
        next_cursor=Cursor.after(page[-1]).encode() if more else None,
        is_first=cursor is None,
    )
