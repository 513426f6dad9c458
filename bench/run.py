"""`make bench`: Waymark's own benchmarks, reported as figures and ratios from one run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str) -> dict:
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def task_latency() -> None:
    print("\nTask queue: enqueue → start latency (worker polls every 0.5 s)")
    header = ("database", "scenario", "workers", "load/s", "p50 s", "p95 s", "max s")
    print("{:<10} {:<8} {:>7} {:>6} {:>7} {:>7} {:>7}".format(*header))
    for database in ("sqlite", "postgres"):
        report = run_module("bench.task_latency", database)
        for row in report["results"]:
            values = (database, row["scenario"], row["workers"], row["load_tasks_per_s"])
            timings = (row["p50_s"], row["p95_s"], row["max_s"])
            print("{:<10} {:<8} {:>7} {:>6} {:>7} {:>7} {:>7}".format(*values, *timings))


def main() -> None:
    task_latency()


if __name__ == "__main__":
    main()
