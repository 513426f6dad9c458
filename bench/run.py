"""`make bench`: Waymark's own benchmarks, reported as figures and ratios from one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DATABASES=sqlite to skip PostgreSQL.
DATABASES = [d for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",") if d]


def run_module(module: str, *args: str) -> dict:
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def task_latency() -> None:
    print("\nTask queue: enqueue → start latency (worker polls every 0.5 s)")
    header = ("database", "scenario", "workers", "load/s", "p50 s", "p95 s", "max s")
    print("{:<10} {:<8} {:>7} {:>6} {:>7} {:>7} {:>7}".format(*header))
    for database in DATABASES:
        report = run_module("bench.task_latency", database)
        for row in report["results"]:
            values = (database, row["scenario"], row["workers"], row["load_tasks_per_s"])
            timings = (row["p50_s"], row["p95_s"], row["max_s"])
            print("{:<10} {:<8} {:>7} {:>6} {:>7} {:>7} {:>7}".format(*values, *timings))


def caseload() -> None:
    print("\nCaseload page (server time through the full Django stack, 40 requests)")
    header = ("database", "patients", "p50 ms", "p95 ms", "queries", "reassess p50", "p95")
    print("{:<10} {:>8} {:>7} {:>7} {:>7} {:>12} {:>6}".format(*header))
    for database in DATABASES:
        report = run_module("bench.caseload", database)
        rows = report["results"]
        for size, row in rows.items():
            page, risk = row["caseload"], row["reassess"]
            values = (database, size, page["p50_ms"], page["p95_ms"], page["queries"])
            print(
                "{:<10} {:>8} {:>7} {:>7} {:>7} {:>12} {:>6}".format(
                    *values, risk["p50_ms"], risk["p95_ms"]
                )
            )
        small, large = rows["500"]["caseload"], rows["5000"]["caseload"]
        print(
            f"{database:<10} ratio 5000/500: p95 {large['p95_ms'] / small['p95_ms']:.2f}×, "
            f"queries {large['queries']} vs {small['queries']}"
        )


def alert_latency() -> None:
    print("\nRisky check-in → alert (same transaction) → e-mail delivery task started")
    print(
        "{:<10} {:>8} {:>16} {:>10} {:>7} {:>7}".format(
            "database", "check-ins", "alerts at commit", "started", "p50 s", "p95 s"
        )
    )
    for database in DATABASES:
        row = run_module("bench.alert_latency", database)
        print(
            "{:<10} {:>8} {:>16} {:>10} {:>7} {:>7}".format(
                database,
                row["checkins"],
                row["alerts_at_commit"],
                row["deliveries_started"],
                row["p50_s"],
                row["p95_s"],
            )
        )


def checkin_throughput() -> None:
    print("\nCheck-in writes vs a no-op endpoint (gunicorn, 2 workers, same auth and middleware)")
    header = ("database", "no-op/s", "check-ins/s", "ratio", "half rate/s", "p50 ms", "p99 ms")
    print("{:<10} {:>8} {:>11} {:>6} {:>11} {:>7} {:>7}".format(*header))
    for database in DATABASES:
        row = run_module("bench.checkin_throughput", database)
        half = row["half_rate"]
        values = (database, row["noop"]["per_second"], row["checkins"]["per_second"], row["ratio"])
        print(
            "{:<10} {:>8} {:>11} {:>6} {:>11} {:>7} {:>7}".format(
                *values, half["rate"], half["p50_ms"], half["p99_ms"]
            )
        )


def main() -> None:
    wanted = set(sys.argv[1:]) or {"tasks", "caseload", "alerts", "checkins"}
    if "checkins" in wanted:
        checkin_throughput()
    if "alerts" in wanted:
        alert_latency()
    if "tasks" in wanted:
        task_latency()
    if "caseload" in wanted:
        caseload()


if __name__ == "__main__":
    main()
