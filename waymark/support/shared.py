"""What a supporter is shown of a patient, scope by scope — and nothing else.

`sections_for` asks the decision for every scope (recording each permitted one as a
disclosure) and then reads only those. Never shown: check-in or questionnaire answers,
scores, notes, lapse details, anything written for the care team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from waymark.access import Actor
from waymark.checkins.models import CheckIn
from waymark.checkins.sobriety import counters_for, milestone_name
from waymark.patients.models import Patient
from waymark.support.access import disclose, local_day
from waymark.support.models import Consent, ReachOutRecipient, Scope, SupporterLink

WEEK = 7


@dataclass
class Shared:
    consent: Consent
    scopes: set[Scope]
    milestones: list[str] = field(default_factory=list)
    days: list[tuple[dt.date, bool]] = field(default_factory=list)  # check-in done or not
    summary: str = ""
    how_to_help: str = ""
    open_requests: list[ReachOutRecipient] = field(default_factory=list)


def _checked_in_days(patient: Patient, today: dt.date) -> set[dt.date]:
    return set(
        CheckIn.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            local_date__gt=today - dt.timedelta(days=WEEK),
            local_date__lte=today,
        ).values_list("local_date", flat=True)
    )


def _milestones(patient: Patient, today: dt.date) -> list[str]:
    lines = []
    for counter in counters_for(patient, today):
        days, (next_days, next_on) = counter.streaks.current, counter.next_milestone
        lines.append(
            f"{days} day{'s' if days != 1 else ''} without {counter.short_label.lower()}; "
            f"next milestone: {milestone_name(next_days)} on {next_on:%-d %B}"
        )
    if not lines and (total := patient.days_in_recovery(today)) is not None:
        lines.append(f"{total} days in recovery")
    return lines


def sections_for(actor: Actor, patient: Patient, at: dt.datetime) -> Shared:
    permitted = disclose(actor, patient, list(Scope), at)
    today = local_day(patient, at)
    shown = Shared(consent=next(iter(permitted.values())), scopes=set(permitted))
    if Scope.MILESTONES in permitted:
        shown.milestones = _milestones(patient, today)
    if {Scope.CHECKIN_STREAK, Scope.WEEKLY_SUMMARY} & permitted.keys():
        done = _checked_in_days(patient, today)
        week = [today - dt.timedelta(days=n) for n in range(WEEK - 1, -1, -1)]
        if Scope.CHECKIN_STREAK in permitted:
            shown.days = [(day, day in done) for day in week]
        if Scope.WEEKLY_SUMMARY in permitted:
            shown.summary = (
                f"{patient.preferred_name} checked in on {len(done)} of the last {WEEK} days. "
                + (
                    "Keeping going like this takes real effort."
                    if len(done) >= 4
                    else "Some weeks are harder than others; a kind word can help."
                )
            )
    if Scope.HOW_TO_HELP in permitted:
        link = SupporterLink.objects.get(patient=patient, supporter=actor.user)
        shown.how_to_help = link.how_to_help
    if Scope.REACH_OUT in permitted:
        shown.open_requests = list(
            ReachOutRecipient.objects.filter(
                organization_id=patient.organization_id,
                patient=patient,
                link__supporter=actor.user,
                answered_at__isnull=True,
            ).select_related("reach_out")
        )
    return shown
