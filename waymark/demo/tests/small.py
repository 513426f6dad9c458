"""A small demo for testing one app's demo step: the kernel's two organizations and their
people (what every step expects), and a handful of patients at different stages instead of
seed_demo's 45. Call it on the frozen clock (waymark/conftest.py), so `ctx.today` is TODAY;
the `small_demo_ctx` fixture there does (and `care_team_ctx` gives care_team_demo's personas).

    def test_it_...(small_demo_ctx: DemoContext) -> None:
        run_step(small_demo_ctx, step_of(demo.seed_checkins))
"""

from __future__ import annotations

from django.apps import apps

from waymark.accounts.models import User
from waymark.conftest import TODAY
from waymark.demo.histories import DISCHARGED, plan_patients
from waymark.demo.registry import (
    DemoContext,
    DemoOrganization,
    DemoStep,
    StepFunction,
    registered_steps,
    run_step,
)
from waymark.demo.steps.organizations import NORTHSTAR, seed_organizations, seed_people
from waymark.demo.steps.patients import create_patient
from waymark.organizations.models import LevelOfCare, Organization
from waymark.patients.models import Patient
from waymark.patients.services import assign_clinician

# 16 patients: enough for the stories the steps tell (a lapse, a safety answer, improving
# and worsening courses) with seed_demo's own seed, 1729, on the frozen clock.
STAGES: tuple[tuple[str, int], ...] = (
    (LevelOfCare.DETOX, 2),
    (LevelOfCare.RESIDENTIAL, 3),
    (LevelOfCare.DAY, 2),
    (LevelOfCare.INTENSIVE_OUTPATIENT, 2),
    (LevelOfCare.OUTPATIENT, 3),
    (LevelOfCare.AFTERCARE, 3),
    (DISCHARGED, 1),
)


def step_of(function: StepFunction) -> DemoStep:
    """The registered step that runs `function` (its order and its seeded rng)."""
    return next(step for step in registered_steps() if step.function is function)


def run_step_at(ctx: DemoContext, function: StepFunction, order: int) -> DemoStep:
    """Run the registered step of `function` on `ctx`, once it is checked to run at `order`
    (after the steps it builds on); the step, to run it again."""
    step = step_of(function)
    assert step.order == order
    run_step(ctx, step)
    return step


def small_demo(stages: tuple[tuple[str, int], ...] = STAGES, seed: int = 1729) -> DemoContext:
    """Both organizations with their staff; `stages` patients at Northstar (16 by default)."""
    ctx = DemoContext(today=TODAY, seed=seed)
    run_step(ctx, step_of(seed_organizations))
    run_step(ctx, step_of(seed_people))
    home = ctx.organization(NORTHSTAR.slug)
    plans = plan_patients(
        ctx.rng_for("small demo"), stages, NORTHSTAR.first_names, ctx.today, len(home.clinicians)
    )
    home.patients = [create_patient(home, plan) for plan in plans]
    return ctx


def persona_demo(northstar: Organization, bob: User, patients: list[Patient]) -> DemoContext:
    """The personas as a demo: Northstar with Bob and `patients`, on TODAY with seed 1."""
    demo_org = DemoOrganization(organization=northstar, clinicians=[bob], patients=patients)
    return DemoContext(today=TODAY, seed=1, organizations=[demo_org])


def care_team_demo(
    northstar: Organization, bob: User, alice: Patient, dana: Patient
) -> DemoContext:
    """The personas as a demo, with Bob made Dana's primary clinician (he is Alice's already)."""
    assign_clinician(dana, bob, primary=True)
    return persona_demo(northstar, bob, [alice, dana])


def row_counts() -> dict[str, int]:
    """Every model's row count, to show a second run of a step adds nothing."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
