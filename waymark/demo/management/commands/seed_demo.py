"""`manage.py seed_demo`: fill a demo install with organizations, staff and patients.

Safe to run again: existing demo rows are found by slug or username and kept.
Steps come from waymark/demo/registry.py (see its docstring to add one).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from waymark.demo.logins import DemoLogin, ensure_logins, logins_path
from waymark.demo.registry import DemoContext, discover_steps, run_step

DEFAULT_SEED = 1729


class BarProgress:
    """Progress reported by steps, shown on a tqdm bar (one unit per step, plus their own)."""

    def __init__(self, bar: tqdm[Any]) -> None:
        self.bar = bar

    def expect(self, units: int) -> None:
        self.bar.total = (self.bar.total or 0) + units
        self.bar.refresh()

    def advance(self, units: int = 1) -> None:
        self.bar.update(units)


class Command(BaseCommand):
    help = "Seed demo organizations, staff, patients and sign-ins (running it again adds nothing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Seed for the shape of the data (names, histories); passwords are always random.",
        )

    def handle(self, *args: Any, seed: int, verbosity: int, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError(
                "seed_demo adds made-up patients and resets the demo passwords: "
                "run it only on a demo install (WAYMARK_DEMO=1) or with DEBUG=1."
            )
        ctx = DemoContext(today=timezone.localdate(), seed=seed)
        steps = discover_steps()
        with tqdm(
            total=len(steps), desc="Seeding demo", file=sys.stderr,
            disable=verbosity == 0, leave=False,
        ) as bar:  # fmt: skip
            ctx.progress = BarProgress(bar)
            for step in steps:
                bar.set_description(f"Seeding demo: {step.label}")
                run_step(ctx, step)
                bar.update(1)
        logins, kept = ensure_logins(ctx)
        patients = len(ctx.patients)
        self.stdout.write(
            f"Demo data ready: {len(ctx.organizations)} organizations, {patients} patients."
        )
        self._print_logins(logins, kept)

    def _print_logins(self, logins: dict[str, DemoLogin], kept: bool) -> None:
        state = "unchanged" if kept else "new passwords"
        self.stdout.write(f"Demo sign-ins ({state}; saved in {logins_path()}):")
        for role, login in logins.items():
            second_factor = f"  TOTP secret {login.totp_secret}" if login.totp_secret else ""
            self.stdout.write(
                f"  {role:<16} {login.username:<18} {login.password}  ({login.organization})"
                + second_factor
            )
