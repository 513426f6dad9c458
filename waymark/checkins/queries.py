"""Read-side queries for the patient's pages and the clinician's panel.

Callers pass a Patient they already got through the access layer (own_patient_record or
get_patient); every query here is also scoped by the patient's organization.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from waymark.charts import date_label
from waymark.checkins.charts import wellbeing_configs, withdrawal_configs
from waymark.checkins.choices import WITHDRAWAL_MAX_TOTAL
from waymark.checkins.models import CheckIn, SubstanceUse, WithdrawalEntry
from waymark.checkins.sobriety import abstinence_goals, checkin_days, is_lapse, lapses
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import Patient, ProgramStay, Substance
from waymark.patients.queries import set_prefetched

CHART_RANGES = (30, 90)
STREAK_DAYS = 400  # how far back a streak is counted
RECENT = 14  # check-ins listed on the patient record


def human_day(day: dt.date) -> str:
    """e.g. "Friday 27 November"."""
    return f"{day:%A} {day.day} {day:%B}"


def current_detox_stay(patient: Patient) -> ProgramStay | None:
    """The patient's open stay in a withdrawal management (detox) program, if any."""
    return (
        ProgramStay.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            ended_on__isnull=True,
            episode__discharged_on__isnull=True,
            program__level=LevelOfCare.DETOX,
        )
        .select_related("program")
        .order_by("-started_on")
        .first()
    )


def day_of_stay(stay: ProgramStay, today: dt.date) -> int:
    """Day 1 is the day of admission."""
    return max(1, (today - stay.started_on).days + 1)


def checkin_for(patient: Patient, day: dt.date) -> CheckIn | None:
    return (
        CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
        .filter(local_date=day)
        .prefetch_related("uses")
        .first()
    )


def checkin_streak(
    patient: Patient, today: dt.date, *, known: Iterable[CheckIn] | None = None
) -> int:
    """Days in a row with a check-in, up to today (or yesterday, if today's is still to come).

    `known`: check-ins already read that include every one of the last STREAK_DAYS days."""
    first = today - dt.timedelta(days=STREAK_DAYS)
    days = (
        set(checkin_days(patient, first - dt.timedelta(days=1), today))
        if known is None
        else {c.local_date for c in known if first <= c.local_date <= today}
    )
    day = today if today in days else today - dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


@dataclass(frozen=True)
class DueItem:
    title: str
    detail: str
    url: str
    done: bool = False


def due_next(patient: Patient, today: dt.date) -> list[DueItem]:
    """What the patient can do next in this app, most pressing first."""
    yesterday = today - dt.timedelta(days=1)
    done = set(
        CheckIn.objects.filter(
            organization_id=patient.organization_id, patient=patient, local_date__gte=yesterday
        ).values_list("local_date", flat=True)
    )
    items = []
    stay = current_detox_stay(patient)
    if stay is not None:
        items.append(
            DueItem(
                "Withdrawal log",
                "Note how you feel now — as often as you like, several times a day.",
                reverse("checkins:withdrawal"),
            )
        )
    if today in done:
        items.append(
            DueItem(
                "Today's check-in is done",
                "You can change it until midnight.",
                reverse("checkins:today"),
                done=True,
            )
        )
    else:
        items.append(DueItem("Today's check-in", "About a minute.", reverse("checkins:today")))
    if yesterday not in done:
        items.append(
            DueItem(
                "Yesterday's check-in",
                "Missed it? You can still fill it in today.",
                reverse("checkins:today") + f"?date={yesterday.isoformat()}",
            )
        )
    return items


def chart_days(request_value: str | None) -> int:
    try:
        days = int(request_value or CHART_RANGES[0])
    except ValueError:
        return CHART_RANGES[0]
    return days if days in CHART_RANGES else CHART_RANGES[0]


def wellbeing_chart(
    patient: Patient,
    today: dt.date,
    days: int,
    *,
    known_lapses: Iterable[SubstanceUse] | None = None,
    known_checkins: Iterable[CheckIn] | None = None,
) -> dict[str, Any]:
    """Craving, mood and sleep per day for the last `days` days, with the days of lapses.

    Missed days are gaps (None), not zeros. `rows` is the same data for the table that
    stands in for the chart without JavaScript. `known_lapses`: every lapse of the patient,
    when the caller has them already (the counters read them), so they are not read again;
    `known_checkins`: check-ins already read that include every one since the first day.
    """
    first = today - dt.timedelta(days=days - 1)
    found: Iterable[CheckIn] = (
        CheckIn.objects.filter(
            organization_id=patient.organization_id, patient=patient, local_date__gte=first
        ).only("local_date", "craving", "mood", "sleep_hours", "safety_concern")
        if known_checkins is None
        else sorted(
            (checkin for checkin in known_checkins if checkin.local_date >= first),
            key=lambda checkin: checkin.local_date,
        )
    )
    checkins = {checkin.local_date: checkin for checkin in found}
    lapse_days = _lapse_days(patient, first, known_lapses)
    dates = [first + dt.timedelta(days=offset) for offset in range(days)]
    locale = patient.organization.locale
    rows = [
        {
            "date": day,
            "label": date_label(day, locale),
            "checkin": checkins.get(day),
            "lapses": lapse_days.get(day, []),
        }
        for day in dates
    ]
    recorded = list(checkins.values())
    labels = [date_label(day, locale) for day in dates]
    series = {
        name: [_get(checkins.get(day), name) for day in dates] for name in ("craving", "mood")
    }
    series["sleep"] = [_get(checkins.get(day), "sleep_hours") for day in dates]
    safety = [bool(getattr(checkins.get(day), "safety_concern", False)) for day in dates]
    return {
        "days": days,
        "rows": [row for row in reversed(rows) if row["checkin"] or row["lapses"]],
        "checkin_count": len(recorded),
        "lapse_count": len(lapse_days),
        "average_craving": _average([c.craving for c in recorded]),
        "average_mood": _average([c.mood for c in recorded]),
        "average_sleep": _average([float(c.sleep_hours) for c in recorded]),
        "safety_count": sum(safety),
        "data": {
            "days": [day.isoformat() for day in dates],
            "labels": labels,
            **series,
            "safety": safety,
            "lapses": [", ".join(lapse_days[day]) if day in lapse_days else None for day in dates],
        },
        "charts": wellbeing_configs(labels, series, safety, [day in lapse_days for day in dates]),
    }


def _lapse_days(
    patient: Patient, first: dt.date, known: Iterable[SubstanceUse] | None = None
) -> dict[dt.date, list[str]]:
    """The substances of each day's lapses since `first` (a medicine taken as prescribed,
    or a use with no abstinence goal, is not one: see `sobriety`); a day's by substance,
    as the model orders them."""
    found: Iterable[SubstanceUse]
    if known is None:
        found = lapses(patient).filter(used_on__gte=first).only("used_on", "substance")
    else:
        found = sorted(
            (use for use in known if use.used_on >= first),
            key=lambda use: (use.used_on, use.substance),
        )
    days: dict[dt.date, list[str]] = {}
    for use in found:
        days.setdefault(use.used_on, []).append(Substance(use.substance).label.split(" (")[0])
    return days


def _get(checkin: CheckIn | None, name: str) -> float | None:
    return None if checkin is None else float(getattr(checkin, name))


def _average(values: list[float] | list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class RecordCheckins:
    """What the patient record shows of check-ins, read in two queries however long the
    history (issue 13, point 4)."""

    checkins: list[CheckIn]  # the last STREAK_DAYS days' and the last RECENT, newest first
    recent: list[CheckIn]  # the last RECENT, newest first, each with its uses
    lapses: list[SubstanceUse]  # every lapse, newest first (`sobriety.lapses`)


def record_checkins(patient: Patient, today: dt.date) -> RecordCheckins:
    """The check-ins of the last STREAK_DAYS days and the last RECENT ones (one query), and
    every lapse with the uses of those RECENT (one query)."""
    scoped = CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
    last = scoped.order_by("-local_date").values("pk")[:RECENT]
    checkins = list(
        scoped.filter(
            Q(local_date__gte=today - dt.timedelta(days=STREAK_DAYS)) | Q(pk__in=last)
        ).order_by("-local_date")
    )
    recent = checkins[:RECENT]  # the newest RECENT of any set that holds them
    goals = abstinence_goals(patient)
    uses = list(
        SubstanceUse.objects.filter(
            Q(substance__in=goals, as_prescribed=False)
            | Q(checkin_id__in=[checkin.pk for checkin in recent]),
            organization_id=patient.organization_id,
            patient=patient,
        ).order_by("-used_on", "substance")
    )
    by_checkin: dict[int, list[SubstanceUse]] = {}
    for use in uses:
        by_checkin.setdefault(use.checkin_id, []).append(use)
    for checkin in recent:
        set_prefetched(checkin, "uses", by_checkin.get(checkin.pk, []))
    found = [u for u in uses if is_lapse(u.substance, as_prescribed=u.as_prescribed, goals=goals)]
    return RecordCheckins(checkins, recent, found)


def recent_checkins(patient: Patient, limit: int = RECENT) -> list[CheckIn]:
    return list(
        CheckIn.objects.filter(organization_id=patient.organization_id, patient=patient)
        .prefetch_related("uses")
        .order_by("-local_date")[:limit]
    )


def withdrawal_timeline(patient: Patient, stay: ProgramStay) -> dict[str, Any]:
    """The stay's withdrawal log: entries newest first, and its charts oldest first."""
    entries = list(
        WithdrawalEntry.objects.filter(
            organization_id=patient.organization_id, patient=patient, stay=stay
        ).order_by("-recorded_at")
    )
    tz = zoneinfo.ZoneInfo(patient.timezone)
    admitted = dt.datetime.combine(stay.started_on, dt.time(), tzinfo=tz)
    points = [
        {
            "day": round((entry.recorded_at - admitted).total_seconds() / 86400 + 1, 2),
            "total": entry.total,
            "craving": entry.craving,
            "at": entry.local_time(patient.timezone).strftime("%a %d %b %H:%M"),
        }
        for entry in reversed(entries)
    ]
    return {
        "entries": entries,
        "max_total": WITHDRAWAL_MAX_TOTAL,
        "charts": withdrawal_configs(points, WITHDRAWAL_MAX_TOTAL),
    }


def alert_raised(patient: Patient, rule_ids: Iterable[str], keys: Iterable[str]) -> bool:
    """Whether the care team's inbox holds an occurrence of one of `rule_ids` for one of
    `keys` (risk.registry.Flag.occurrence_key): what a page tells the patient is true."""
    from waymark.alerts.models import AlertOccurrence

    wanted = list(keys)
    return bool(wanted) and (
        AlertOccurrence.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            rule_id__in=list(rule_ids),
            key__in=wanted,
        ).exists()
    )
