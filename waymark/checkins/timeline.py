"""Check-ins, lapses, withdrawal log entries and "talk to staff now" on the patient timeline.

The timeline view has already audited the read (get_patient); these queries are scoped by
the patient's organization like every other.
"""

from __future__ import annotations

import datetime as dt

from waymark.alerts.models import Severity
from waymark.checkins.choices import WITHDRAWAL_MAX_TOTAL
from waymark.checkins.models import CheckIn, StaffRequest, SubstanceUse, WithdrawalEntry
from waymark.patients.models import Patient
from waymark.patients.timeline import TimelineEvent, register


def _checkin_event(checkin: CheckIn) -> TimelineEvent:
    late = " (filled in late)" if checkin.is_late else ""
    flags = "; safety question: yes" if checkin.safety_concern else ""
    return TimelineEvent(
        at=checkin.completed_at,
        kind="checkin",
        title=f"Check-in for {checkin.local_date:%d %b}{late}",
        detail=f"Craving {checkin.craving}/10, mood {checkin.mood_label().lower()}, "
        f"sleep {checkin.sleep_hours} h, stress {checkin.stress}/10{flags}",
        severity=Severity.URGENT if checkin.safety_concern else 0,
        values={
            "craving": checkin.craving,
            "mood": checkin.mood,
            "sleep hours": float(checkin.sleep_hours),
        },
    )


@register("checkins")
def checkin_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    scope = {"organization_id": patient.organization_id, "patient": patient}
    events = [
        _checkin_event(checkin)
        for checkin in CheckIn.objects.filter(**scope, completed_at__gte=since)
    ]
    events += [
        TimelineEvent(
            at=use.checkin.completed_at,
            kind="lapse",
            title=f"Reported use: {use.get_substance_display()}"
            + (f" ({use.amount})" if use.amount else "")
            + (" — as prescribed" if use.as_prescribed else ""),
            detail=use.note,
        )
        for use in SubstanceUse.objects.filter(**scope, checkin__completed_at__gte=since)
        .select_related("checkin")
    ]  # fmt: skip
    events += [
        TimelineEvent(
            at=entry.recorded_at,
            kind="withdrawal",
            title=f"Withdrawal log: {entry.total}/{WITHDRAWAL_MAX_TOTAL}",
            detail=", ".join(label for _, label, level in entry.ratings() if level >= 2),
        )
        for entry in WithdrawalEntry.objects.filter(**scope, recorded_at__gte=since)
    ]
    events += [
        TimelineEvent(
            at=request.requested_at,
            kind="withdrawal",
            title="Asked to talk to staff now",
            severity=Severity.URGENT,
        )
        for request in StaffRequest.objects.filter(**scope, requested_at__gte=since)
    ]
    return events
