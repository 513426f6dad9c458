"""Enqueue → start latency of the task queue, idle and under load, on one database.

Run by bench/run.py in its own process (Django is set up once per process), against a
fresh database it creates: `python -m bench.task_latency sqlite|postgres`. Prints JSON.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time

from bench.common import QUICK, benchmark_database, load_average, percentile
from waymark.testing.real_database import ROOT

PROBES = 20 if QUICK else 60
PROBE_GAP = (0.15, 0.45)  # seconds between probes, random in this range
WORKER_INTERVAL = "0.5"  # what `make demo` and the docs ship


def measure(label: str, workers: int, load_per_second: int) -> dict[str, float | str]:
    import django

    django.setup()
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult
    from tqdm import tqdm

    from bench.noop import filler, probe

    children = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", WORKER_INTERVAL],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    load = 0.0
    try:
        time.sleep(2.0)  # workers started and polling
        load = load_average()
        ids = []
        next_load = time.monotonic()
        for _ in tqdm(
            range(PROBES), desc=f"{label:>8}", unit="probe", file=sys.stderr, disable=None
        ):
            wake = time.monotonic() + random.uniform(*PROBE_GAP)  # noqa: S311
            while time.monotonic() < wake:
                if load_per_second and time.monotonic() >= next_load:
                    filler.enqueue(20)
                    next_load += 1 / load_per_second
                time.sleep(0.005)
            ids.append(str(probe.enqueue().id))
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(pk__in=ids, started_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("probes did not start within 60 s")
            time.sleep(0.2)
            close_old_connections()
        latencies = [
            (started - enqueued).total_seconds()
            for enqueued, started in DBTaskResult.objects.filter(pk__in=ids).values_list(
                "enqueued_at", "started_at"
            )
            if started is not None
        ]
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(15)
    return {
        "scenario": label,
        "workers": workers,
        "load_tasks_per_s": load_per_second,
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
        "load": load,
    }


def main() -> None:
    database = sys.argv[1]
    with benchmark_database(database):
        results = [
            measure("idle", workers=1, load_per_second=0),
            measure("loaded", workers=2, load_per_second=40),
        ]
    print(json.dumps({"database": database, "results": results}))


if __name__ == "__main__":
    main()
