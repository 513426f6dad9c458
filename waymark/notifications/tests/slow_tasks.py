"""A task for the worker-crash test: the first run hangs (and is killed), later runs finish."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def hang_the_first_time(marker: str) -> str:
    starts = Path(marker)
    with starts.open("a") as log:
        log.write("start\n")
    if starts.read_text().count("start") == 1:
        time.sleep(60)
    return "done"
