"""The support demo step: the demo supporter sees two scopes; the second one's consent
has expired; nothing new on a re-run."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import timezone

from waymark.accounts.models import User
from waymark.conftest import TODAY, make_user
from waymark.demo.registry import DemoContext, DemoOrganization, registered_steps, run_step
from waymark.organizations.models import Organization, Role
from waymark.organizations.services import add_member
from waymark.patients.models import Patient
from waymark.support import demo
from waymark.support.access import decide, links_with_consent
from waymark.support.models import Scope


@pytest.fixture
def ctx(northstar: Organization, alice: Patient, bob: User, sam: User) -> DemoContext:
    lena = make_user("lena")
    add_member(northstar, lena, Role.SUPPORTER)
    demo_org = DemoOrganization(
        organization=northstar, clinicians=[bob], supporters=[sam, lena], patients=[alice]
    )
    return DemoContext(today=TODAY, seed=1, organizations=[demo_org])


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_it_links_two_supporters_one_active_one_expired_once(
    ctx: DemoContext, alice: Patient, sam: User
) -> None:
    step = next(s for s in registered_steps() if s.function is demo.seed_supporters)
    assert step.order == 800
    run_step(ctx, step)
    now = timezone.now()
    sams = links_with_consent(sam, now)
    assert [(link.patient, consent.scopes) for link, consent in sams] == [
        (alice, ["milestones", "reach_out"])
    ]
    lena = ctx.organizations[0].supporters[1]
    assert links_with_consent(lena, now) == []
    assert not decide(lena, alice, Scope.WEEKLY_SUMMARY, now)
    before = row_counts()
    run_step(ctx, step)
    assert row_counts() == before
