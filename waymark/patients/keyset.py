"""The caseload a page at a time, by keyset ("after this row"), never by OFFSET or COUNT.

Each sort (`ORDERS`) reads the caseload in one or two segments, each ordered by columns
that an index holds in that order, so a page reads about `per_page` index entries
whatever the size of the organization:

- **risk** (the default) is the safety net's order (DESIGN): an unacknowledged urgent
  alert first, then the rolling level or an unacknowledged alert's, whichever is higher,
  then the most recent activity, then the patient's id: the index
  `patientrisk_caseload_keyset`. It cannot be reversed.
- **last check-in**, **PHQ-9** and **days in program** walk the patients whose PatientRisk
  row has the value, over their own PatientRisk index; **name** walks the patients'
  index `patient_by_name`. These are explicit choices and can be reversed (`-name`).

Patients without the value (never assessed, never checked in, not in a program) come
after, by name then id. The cursor names the sort, the segment and the last row shown;
the next page starts strictly after it. What a cursor means when risk changes between
two pages: each page is the order as it is when that page is read. A patient whose risk
rose above the cursor is not repeated on later pages (they are now near the top: the
first page, which refreshes itself every minute, shows them); a patient whose risk fell
below the cursor is shown again further down. No patient who stayed put is skipped or
repeated.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet

from waymark.patients.models import Patient

Parse = Callable[[Any], Any]
PARSE: dict[str, Parse] = {
    "bool": bool,
    "int": int,
    "str": str,
    "uuid": lambda v: uuid.UUID(str(v)),
    "date": lambda v: dt.date.fromisoformat(v),
    "datetime": lambda v: dt.datetime.fromisoformat(v),
}


@dataclass(frozen=True)
class Key:
    """One column of an order: a column of `queries.caseload`'s rows, how a cursor
    writes it, and its direction. `nullable` keys sort descending with nulls last."""

    column: str
    kind: str
    descending: bool = False
    nullable: bool = False

    def order_by(self, vendor: str) -> OrderBy:
        if not self.descending:
            return F(self.column).asc()
        # Nulls last. SQLite's DESC already puts them there, and its planner walks the
        # index only for an ORDER BY without a NULLS clause; PostgreSQL's DESC puts them
        # first, so it says so (as its index does: risk migration 0005).
        if self.nullable and vendor != "sqlite":
            return F(self.column).desc(nulls_last=True)
        return F(self.column).desc()


@dataclass(frozen=True)
class Segment:
    """Some of the rows (`rows(organization_id)`), in the order of `keys` (the last unique)."""

    rows: Callable[[int], Q]
    keys: tuple[Key, ...]

    def reversed(self) -> Segment:
        return replace(self, keys=tuple(replace(k, descending=not k.descending) for k in self.keys))


BY_NAME = (Key("preferred_name", "str"), Key("pk", "uuid"))
NOT_ASSESSED = Segment(lambda org: Q(risk_id__isnull=True), BY_NAME)


def _by_risk_column(column: str, kind: str, *, desc: bool) -> tuple[Segment, ...]:
    """Patients whose risk row has `column`, by it then id; then everyone else by name."""
    with_value = Segment(
        lambda org: Q(risk_organization_id=org, **{f"{column}__isnull": False}),
        (Key(column, kind, descending=desc), Key("order_patient", "uuid")),
    )
    rest = Segment(lambda org: Q(risk_id__isnull=True) | Q(**{f"{column}__isnull": True}), BY_NAME)
    return (with_value, rest)


@dataclass(frozen=True)
class Order:
    name: str
    label: str
    segments: tuple[Segment, ...]
    reversible: bool = True
    reverse: bool = False

    @property
    def param(self) -> str:
        return f"-{self.name}" if self.reverse else self.name

    def walked(self) -> tuple[Segment, ...]:
        """The segments as read: a reversed order reverses the first, the rest stay by name."""
        if not self.reverse:
            return self.segments
        return (self.segments[0].reversed(), *self.segments[1:])


RISK = Order(
    "risk", "Risk",
    (
        Segment(
            lambda org: Q(risk_organization_id=org),
            (
                Key("order_urgent", "bool", descending=True),
                Key("order_level", "int", descending=True),
                Key("last_activity_at", "datetime", descending=True, nullable=True),
                Key("order_patient", "uuid"),  # the index's column: the patient's pk
            ),
        ),
        NOT_ASSESSED,
    ),
    reversible=False,
)  # fmt: skip
ORDERS: dict[str, Order] = {
    order.name: order
    for order in (
        RISK,
        Order("name", "Name", (Segment(lambda org: Q(), BY_NAME),)),
        Order("checkin", "Last check-in", _by_risk_column("order_checkin", "date", desc=True)),
        Order("days", "Days in program", _by_risk_column("order_program", "date", desc=False)),
        Order("phq9", "PHQ-9", _by_risk_column("order_phq9", "int", desc=True)),
    )
}


def order_named(param: str | None) -> Order:
    """The order `?sort=` asks for ("name", "-name"); the risk order for anything else."""
    name = (param or "").removeprefix("-")
    order = ORDERS.get(name, RISK)
    if (param or "").startswith("-") and order.reversible:
        return replace(order, reverse=True)
    return order


def _parse(key: Key, value: Any) -> Any:
    if value is None:
        if key.nullable:
            return None
        raise ValueError(f"{key.column} cannot be empty")
    return PARSE[key.kind](value)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: its order, its segment and its key values."""

    order: str
    segment: int
    values: tuple[Any, ...]

    def encode(self) -> str:
        fields = [self.order, self.segment, [_encode(v) for v in self.values]]
        raw = json.dumps(fields, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None, order: Order = RISK) -> Cursor | None:
        """The cursor in `text` for `order`, or None (the first page) for anything
        malformed or written for another order."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            name, segment, values = json.loads(raw)
            segments = order.walked()
            if name != order.param or not 0 <= int(segment) < len(segments):
                return None
            keys = segments[int(segment)].keys
            if len(values) != len(keys):
                return None
            parsed = tuple(_parse(k, v) for k, v in zip(keys, values, strict=True))
            return cls(order=name, segment=int(segment), values=parsed)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            return None

    @classmethod
    def after(cls, patient: Patient, order: Order = RISK) -> Cursor:
        """The cursor just after `patient`, a row of `queries.caseload` read in `order`."""
        segment = patient.__dict__["_keyset_segment"]
        keys = order.walked()[segment].keys
        return cls(order.param, segment, tuple(getattr(patient, k.column) for k in keys))


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


def _after(keys: tuple[Key, ...], values: tuple[Any, ...]) -> Q:
    """Rows strictly after `values` in the order of `keys`, spelled out column by column
    (databases differ on row comparisons): equal on the first i keys, after on the next."""
    found = Q(pk__in=[])
    same = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:  # a nullable key, nulls last: nothing comes after a null
            later = Q(pk__in=[])
            equal = Q(**{f"{key.column}__isnull": True})
        else:
            later = Q(**{f"{key.column}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable:
                later |= Q(**{f"{key.column}__isnull": True})
            equal = Q(**{key.column: value})
        found |= same & later
        same &= equal
    return found


def caseload_page(
    rows: QuerySet[Patient],
    *,
    organization_id: int,
    cursor: Cursor | None,
    per_page: int,
    order: Order = RISK,
) -> CaseloadPage:
    """The page of `rows` (from `queries.caseload`) after `cursor` in `order`: one query
    per segment this page reaches (at most two)."""
    page: list[Patient] = []
    start = cursor.segment if cursor is not None else 0
    for number, segment in enumerate(order.walked()):
        if number < start or len(page) > per_page:
            continue
        found = rows.filter(segment.rows(organization_id)).order_by(
            *(key.order_by(connections[rows.db].vendor) for key in segment.keys)
        )
        if cursor is not None and number == cursor.segment:
            found = found.filter(_after(segment.keys, cursor.values))
        for patient in found[: per_page + 1 - len(page)]:
            patient.__dict__["_keyset_segment"] = number
            page.append(patient)
    more = len(page) > per_page
    page = page[:per_page]
    return CaseloadPage(
        object_list=page,
        next_cursor=Cursor.after(page[-1], order).encode() if more else None,
        is_first=cursor is None,
    )
