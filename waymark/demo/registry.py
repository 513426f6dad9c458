"""The demo step registry: how each app adds its own demo data to `seed_demo`.

An app plugs in by adding a `demo.py` module next to its `models.py` and
registering one or more steps in it::

    # waymark/checkins/demo.py
    from waymark.demo.registry import DemoContext, demo_step

    @demo_step(order=500)
    def seed_checkins(ctx: DemoContext) -> None:
        patients = [p for p in ctx.patients_in_care() if not p.checkins.exists()]
        ctx.progress.expect(len(patients))
        for patient in patients:
            ...  # 90 days of history, dates relative to ctx.today, shape from ctx.rng
            ctx.progress.advance()

`seed_demo` imports every installed app's `demo` module
(`autodiscover_modules("demo")`), then runs the steps by `order`, each in its
own `transaction.atomic()`, so a failing step leaves none of its rows behind.

Rules for a step:
- **Idempotent.** `seed_demo` runs on every `make demo`; look for existing
  rows first and skip what is already there (the context is still filled in).
- **Deterministic shape.** Use `ctx.rng` (seeded per step from the run's seed
  and the step's name, so adding a step never changes another step's data)
  and `ctx.today`; never `random` or `datetime.now()` directly.
- **Through the services.** Create rows with the app's `services.py`, as a
  person would, so the demo exercises the same rules as production.

Order bands: 100–399 the tenant kernel (organizations, staff, patients), 400–899
capabilities (check-ins 500, questionnaires 600, risk/alerts 700, support 800),
900+ anything that summarises what came before.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Protocol

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from waymark.accounts.models import User
from waymark.organizations.models import Organization, Program
from waymark.patients.models import Patient


class Progress(Protocol):
    """What a step may tell the progress bar."""

    def expect(self, units: int) -> None:
        """Add `units` of work to the total (call once a step knows its size)."""

    def advance(self, units: int = 1) -> None:
        """Mark `units` of work done."""


class NullProgress:
    """A progress reporter that reports nothing (tests, verbosity 0)."""

    def expect(self, units: int) -> None:
        pass

    def advance(self, units: int = 1) -> None:
        pass


@dataclass
class DemoOrganization:
    """One demo tenant and the people the kernel steps made for it."""

    organization: Organization
    programs: dict[str, Program] = field(default_factory=dict)  # by LevelOfCare value
    admins: list[User] = field(default_factory=list)
    clinicians: list[User] = field(default_factory=list)
    supporters: list[User] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.organization.slug


@dataclass
class DemoContext:
    """Everything a step needs. Kernel steps fill `organizations`; later steps read it."""

    today: dt.date
    seed: int
    progress: Progress = field(default_factory=NullProgress)
    rng: random.Random = field(default_factory=random.Random)
    organizations: list[DemoOrganization] = field(default_factory=list)

    def organization(self, slug: str) -> DemoOrganization:
        for demo_org in self.organizations:
            if demo_org.slug == slug:
                return demo_org
        raise KeyError(f"No demo organization {slug!r} (has its step run yet?)")

    @property
    def patients(self) -> list[Patient]:
        return [patient for org in self.organizations for patient in org.patients]

    @property
    def clinicians(self) -> list[User]:
        return [user for org in self.organizations for user in org.clinicians]

    def patients_in_care(self) -> list[Patient]:
        """Patients with an open episode of care, in every demo organization."""
        ids = set(
            Patient.objects.in_care()
            .filter(pk__in=[patient.pk for patient in self.patients])
            .values_list("pk", flat=True)
        )
        return [patient for patient in self.patients if patient.pk in ids]

    def rng_for(self, name: str) -> random.Random:
        """A generator seeded from the run's seed and `name`: same name, same numbers."""
        return random.Random(f"{self.seed}:{name}")  # noqa: S311 - made-up data, not secrets


StepFunction = Callable[[DemoContext], None]


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    function: StepFunction

    @property
    def label(self) -> str:
        """A short name for the progress bar."""
        return self.function.__name__.removeprefix("seed_").replace("_", " ")


_steps: dict[str, DemoStep] = {}


def demo_step(*, order: int, name: str = "") -> Callable[[StepFunction], StepFunction]:
    """Register a function as a demo step, run in ascending `order` (ties by name).

    `name` defaults to the function's dotted path; it keys the registry (so a
    module imported twice registers once) and seeds the step's `ctx.rng`.
    """

    def register(function: StepFunction) -> StepFunction:
        step_name = name or f"{function.__module__}.{function.__qualname__}"
        _steps[step_name] = DemoStep(order=order, name=step_name, function=function)
        return function

    return register


def registered_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def discover_steps() -> list[DemoStep]:
    """Import the kernel steps and every installed app's `demo` module; return the steps."""
    import_module("waymark.demo.steps")
    autodiscover_modules("demo")
    return registered_steps()


def run_step(ctx: DemoContext, step: DemoStep) -> None:
    """Run one step in its own transaction, with its own seeded `ctx.rng`."""
    ctx.rng = ctx.rng_for(step.name)
    with transaction.atomic():
        step.function(ctx)
