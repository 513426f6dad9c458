"""A meeting list for each demo organization (made-up names and places)."""

from __future__ import annotations

import datetime as dt

from waymark.demo.registry import DemoContext, demo_step
from waymark.meetings.models import Fellowship, Meeting

# (name, fellowship, weekday, time, place, online link, notes)
MEETINGS: tuple[tuple[str, str, int, dt.time, str, str, str], ...] = (
    (
        "New Beginnings NA",
        Fellowship.NA,
        0,
        dt.time(19, 0),
        "St Mark's church hall, side door",
        "",
        "Open meeting; newcomers welcome.",
    ),
    (
        "Lunchtime AA",
        Fellowship.AA,
        1,
        dt.time(12, 30),
        "Community centre, room 2",
        "",
        "Closed meeting: for people who want to stop drinking.",
    ),
    (
        "SMART Recovery online",
        Fellowship.SMART,
        2,
        dt.time(18, 0),
        "",
        "https://meetings.example.org/smart-wednesday",
        "Cameras optional.",
    ),
    ("Just for Today NA", Fellowship.NA, 3, dt.time(20, 0), "Library meeting room", "", ""),
    (
        "Nar-Anon family group",
        Fellowship.FAMILY,
        4,
        dt.time(19, 30),
        "Health centre, ground floor",
        "",
        "For family and friends.",
    ),
    (
        "Saturday morning SMART",
        Fellowship.SMART,
        5,
        dt.time(10, 0),
        "Recovery café",
        "https://meetings.example.org/smart-saturday",
        "In person and online.",
    ),
    (
        "Sunday reflections NA",
        Fellowship.NA,
        6,
        dt.time(17, 0),
        "",
        "https://meetings.example.org/na-sunday",
        "",
    ),
)


@demo_step(order=830)
def seed_meetings(ctx: DemoContext) -> None:
    ctx.progress.expect(len(ctx.organizations))
    for demo_org in ctx.organizations:
        ctx.progress.advance()
        organization = demo_org.organization
        if Meeting.objects.filter(organization=organization).exists():
            continue
        for name, fellowship, weekday, time, place, link, notes in MEETINGS:
            meeting = Meeting(
                organization=organization,
                name=name,
                fellowship=fellowship,
                weekday=weekday,
                starts_at=time,
                place=place,
                online_link=link,
                notes=notes,
            )
            meeting.full_clean()
            meeting.save()
