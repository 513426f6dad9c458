"""Tasks the benchmark enqueues."""

from __future__ import annotations

import time

from django_tasks import task


@task(priority=10)
def probe() -> None:
    """Measured: how long from enqueue until a worker starts it."""


@task(priority=-10)
def filler(milliseconds: int) -> None:
    """Background load: keeps the workers and the database busy."""
    time.sleep(milliseconds / 1000)
