"""The meetings demo step: a valid meeting list per organization, once."""

from __future__ import annotations

from waymark.conftest import TODAY
from waymark.demo.registry import DemoContext, DemoOrganization, run_step
from waymark.demo.tests.small import row_counts, step_of
from waymark.meetings import demo
from waymark.meetings.models import Fellowship, Meeting
from waymark.organizations.models import Organization


def test_it_lists_meetings_for_each_organization_once(
    northstar: Organization, harbour: Organization
) -> None:
    ctx = DemoContext(
        today=TODAY,
        seed=1,
        organizations=[
            DemoOrganization(organization=northstar),
            DemoOrganization(organization=harbour),
        ],
    )
    step = step_of(demo.seed_meetings)
    run_step(ctx, step)
    for organization in (northstar, harbour):
        meetings = Meeting.objects.filter(organization=organization)
        assert meetings.count() == len(demo.MEETINGS)
        assert {m.fellowship for m in meetings} >= {Fellowship.NA, Fellowship.SMART}
    before = row_counts()
    run_step(ctx, step)
    assert row_counts() == before
