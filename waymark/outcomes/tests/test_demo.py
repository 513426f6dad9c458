"""The demo data makes the dashboard show something in every section (issue 18, demo)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from waymark.checkins.demo import seed_checkins
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.steps.organizations import NORTHSTAR
from waymark.demo.tests.small import small_demo, step_of
from waymark.questionnaires.demo import seed_questionnaires
from waymark.risk.demo import assess_risk


@pytest.fixture
def ctx(frozen: time_machine.Traveller, db: None) -> DemoContext:
    return small_demo()


def test_it_shows_figures_from_the_demo_data(ctx: DemoContext, client_for) -> None:  # type: ignore[no-untyped-def]
    for function in (seed_checkins, seed_questionnaires, assess_risk):
        run_step(ctx, step_of(function))
    clinician = ctx.organization(NORTHSTAR.slug).clinicians[0]

    response = client_for(clinician).get(reverse("outcomes:dashboard"), {"period": "365"})

    context = response.context
    assert context["cohort_size"] == 16
    assert context["retention"] and context["abstinence"] and context["adherence"]
    assert context["lapses"].curves
    phq9 = context["measures"][0]
    assert phq9.total.baseline > 0
    assert context["alerts"]
