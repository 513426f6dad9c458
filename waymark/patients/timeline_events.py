"""Care transitions (admissions, moves, discharges) on the patient timeline."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from waymark.patients.models import Episode, Patient, ProgramStay
from waymark.patients.timeline import TimelineEvent, register


def _at(day: dt.date, patient: Patient) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=zoneinfo.ZoneInfo(patient.timezone))


@register("transitions")
def transition_events(patient: Patient, since: dt.datetime) -> list[TimelineEvent]:
    stays = ProgramStay.objects.filter(
        organization_id=patient.organization_id, patient=patient, started_on__gte=since.date()
    ).select_related("program")
    episodes = Episode.objects.filter(
        organization_id=patient.organization_id, patient=patient, discharged_on__gte=since.date()
    )
    events = [
        TimelineEvent(
            at=_at(stay.started_on, patient),
            kind="transition",
            title=f"Started {stay.program.name}",
            detail=f"Planned until {stay.planned_end_on:%-d %b %Y}" if stay.planned_end_on else "",
        )
        for stay in stays
    ]
    events += [
        TimelineEvent(
            at=_at(episode.discharged_on, patient),
            kind="transition",
            title=f"Discharged ({episode.get_discharge_destination_display()})",
            detail=episode.aftercare_plan,
        )
        for episode in episodes
        if episode.discharged_on
    ]
    return events
