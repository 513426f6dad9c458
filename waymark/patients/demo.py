"""Demo data: two recent discharges from Northstar, so the watch after discharge shows.

One left residential care 12 days ago with a follow-up date 5 days ago and nobody in
touch since ("follow-up due" on the caseload, the care team told); one left 5 days ago
with the follow-up still ahead ("recently discharged, day 5 of 30"). Runs after the
patients exist and before check-ins are added (check-ins go to patients in care only).
"""

from __future__ import annotations

import datetime as dt

from waymark.demo.logins import demo_patient
from waymark.demo.registry import DemoContext, demo_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.organizations.models import LevelOfCare
from waymark.patients.models import DischargeDestination, Episode

RECENT = ((12, 7), (5, 7))  # (days ago discharged, follow-up days after discharge)


@demo_step(order=350)
def seed_recent_discharges(ctx: DemoContext) -> None:
    home = ctx.organization(NORTHSTAR.slug)
    if (
        not home.clinicians
        or Episode.objects.filter(
            organization=home.organization,
            discharged_on__gte=ctx.today - dt.timedelta(days=30),
        ).exists()
    ):
        return  # already there (a re-run adds nothing)
    keep = demo_patient(home, home.clinicians[0]).pk
    candidates = (
        Episode.objects.filter(
            organization=home.organization,
            patient__in=[p.pk for p in home.patients if p.pk != keep],
            discharged_on__isnull=True,
            stays__ended_on__isnull=True,
            stays__program__level=LevelOfCare.RESIDENTIAL,
            stays__started_on__lte=ctx.today - dt.timedelta(days=20),
        )
        .select_related("patient")
        .order_by("patient__preferred_name")
    )
    for episode, (days_ago, follow_up) in zip(candidates, RECENT, strict=False):
        on = ctx.today - dt.timedelta(days=days_ago)
        episode.stays.filter(ended_on__isnull=True).update(ended_on=on)
        episode.discharged_on = on
        episode.discharge_destination = DischargeDestination.HOME
        episode.aftercare_plan = "Outpatient group twice a week; SMART Recovery on Thursdays."
        episode.follow_up_on = on + dt.timedelta(days=follow_up)
        episode.save()
