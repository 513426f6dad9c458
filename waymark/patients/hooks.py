"""What feature apps add to the core's workflows, so that the core imports none of them.

- `transition_made`: a signal sent inside the transaction of every admit, move and
  discharge (`transitions.py`), with `patient=`; the risk app reassesses the patient.
- `register_caseload_rows`: functions that set attributes on a page of caseload rows
  (the alerts app attaches each row's open alerts), one query per page each.
- `watch_days(organization_id)`: the days after a discharge that a patient is watched;
  the risk app provides the organization's own setting (`provide_watch_days`).
- `register_census_section`: functions `(request) -> ShownPanel | None` whose panels the
  census shows below the programs (issue 17: group attendance per program this week).

Feature apps register in their AppConfig.ready() or their autodiscovered `panels.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.dispatch import Signal

from waymark.patients.models import Patient
from waymark.registries import Registry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from waymark.patients.panels import ShownPanel

transition_made = Signal()


@dataclass(frozen=True)
class RecordFlag:
    """One key flag in the record header, in plain words; `tone` is "urgent" or "notice"."""

    label: str
    tone: str = "notice"


RowProvider = Callable[[list[Patient]], None]
_row_providers: Registry[RowProvider] = Registry()
register_caseload_rows = _row_providers.register


def decorate_caseload(patients: list[Patient]) -> list[Patient]:
    """Let every registered provider add its attributes to a page of the caseload."""
    for provider in _row_providers:
        provider(patients)
    return patients


DEFAULT_WATCH_DAYS = 30
WatchDays = Callable[[int], int]
_watch_days: Registry[WatchDays] = Registry()
provide_watch_days = _watch_days.register("watch_days")


def watch_days(organization_id: int) -> int:
    """The organization's watch after a discharge, in days (30 unless an app provides it)."""
    provider = _watch_days.get("watch_days")
    return provider(organization_id) if provider else DEFAULT_WATCH_DAYS


# Issue 16, point 2: the record header's key flags ("Open urgent alert", a medication
# safety flag). An app registers `flags(patient) -> [RecordFlag]` in its `record_flags.py`
# (autodiscovered by PatientsConfig.ready); reads only, a query or two each.
FlagProvider = Callable[[Patient], list[RecordFlag]]
_flag_providers: Registry[FlagProvider] = Registry()
register_record_flags = _flag_providers.register


def flag_providers() -> list[FlagProvider]:
    return list(_flag_providers)


CensusSection = Callable[["HttpRequest"], "ShownPanel | None"]
_census_sections: Registry[CensusSection] = Registry()
register_census_section = _census_sections.register


def census_sections(request: HttpRequest) -> list[ShownPanel]:
    """The panels feature apps add to the census (reads only; counts, or audited reads)."""
    return [panel for section in _census_sections if (panel := section(request)) is not None]
