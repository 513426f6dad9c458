"""Point 5 on a hand-built cohort: adherence per week of care; reach-outs; extension point."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.organizations.models import Organization
from waymark.outcomes import engagement as module
from waymark.outcomes.engagement import EngagementFigure, adherence_by_week, engagement
from waymark.outcomes.tests.conftest import checkins, patient, scope_for


def test_it_counts_check_in_days_per_whole_week_of_care(northstar: Organization, bob: User) -> None:
    one = patient(northstar, "pat1")  # day 0: four whole weeks by TODAY (day 29)
    checkins(one, [0, 1, 2, 7, 14, 15])
    two = patient(northstar, "pat2", admitted=20)  # one whole week (days 20-26)
    checkins(two, [20, 21, 22, 23, 24, 25, 26, 27])

    rows = [
        (r.week, r.stays, r.days_with_checkin, r.percent) for r in adherence_by_week(scope_for(bob))
    ]

    assert rows == [(1, 2, 10, 71.4), (2, 1, 1, 14.3), (3, 1, 2, 28.6), (4, 1, 0, 0.0)]


def test_it_shows_what_other_apps_register(northstar: Organization, bob: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    patient(northstar, "pat1")
    meetings = EngagementFigure("Meetings attended", 3, 4, "For the test.")
    monkeypatch.setattr(module, "ENGAGEMENT_SOURCES", [lambda scope: [meetings]])

    figures = engagement(scope_for(bob))["engagement_figures"]

    assert [(f.label, f.count, f.n) for f in figures] == [  # type: ignore[attr-defined]
        ("Reach-outs answered by a supporter", 0, 0),
        ("Meetings attended", 3, 4),
    ]
