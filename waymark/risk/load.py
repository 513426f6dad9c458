"""Alert load: how many alerts the rules would raise for a population, per patient per week.

Replays each patient's stored data day by day through the registry's rules (the same
`snapshot.build` and `registry.evaluate` the reassessment uses) and applies the alert
lifecycle's deduplication — one unresolved alert per patient and rule, occurrences keyed
as `raise_alert` keys them, safety rules telling again on each new occurrence — with
alerts assumed resolved a fixed number of days after they open (a clinic's pace). Nothing
is written: the figures say what the defaults would do to a care team's inbox.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from waymark.patients.models import Patient
from waymark.risk import registry
from waymark.risk.snapshot import build

EVENING = dt.time(21, 0)  # each day is assessed as it stood in the patient's evening


@dataclass
class Load:
    days: int
    patients: int = 0
    alerts: Counter[tuple[str, int]] = field(default_factory=Counter)  # (rule, severity)
    notifications: Counter[str] = field(default_factory=Counter)  # by rule

    @property
    def patient_weeks(self) -> float:
        return self.patients * self.days / 7

    def per_patient_week(self, count: int) -> float:
        return count / self.patient_weeks if self.patient_weeks else 0.0

    def by_severity(self) -> Counter[int]:
        totals: Counter[int] = Counter()
        for (_, severity), count in self.alerts.items():
            totals[severity] += count
        return totals


def replay(
    patients: Iterable[Patient],
    *,
    days: int,
    until: dt.date,
    resolve_after_days: int = 2,
    progress: Callable[[], None] = lambda: None,
) -> Load:
    from waymark.risk.services import settings_for

    load = Load(days=days)
    for patient in patients:
        load.patients += 1
        settings = settings_for(patient.organization_id)
        tz = zoneinfo.ZoneInfo(patient.timezone)
        opened: dict[str, dt.date] = {}  # rule -> day its unresolved alert opened
        seen: dict[str, set[str]] = {}  # rule -> occurrence keys any alert has seen
        for back in range(days - 1, -1, -1):
            day = until - dt.timedelta(days=back)
            for rule_id, since in list(opened.items()):
                if (day - since).days >= resolve_after_days:
                    del opened[rule_id]  # a clinician resolved it
            snapshot = build(patient, now=dt.datetime.combine(day, EVENING, tzinfo=tz))
            for flag in registry.evaluate(snapshot, settings):
                keys = seen.setdefault(flag.rule_id, set())
                key = flag.occurrence_key
                if flag.rule_id in opened:
                    if key not in keys and flag.rule.safety:
                        load.notifications[flag.rule_id] += 1
                elif key not in keys:
                    opened[flag.rule_id] = day
                    load.alerts[(flag.rule_id, flag.level)] += 1
                    load.notifications[flag.rule_id] += 1
                keys.add(key)
        progress()
    return load
