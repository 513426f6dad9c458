"""`make bench`: Waymark's own benchmarks; figures to bench/results/latest.json and a table
in bench/RESULTS.md generated from it (bench/report.py).

`make bench BENCH=quick` (under 3 minutes on a quiet 2-core machine): shorter runs and
smaller data, the same measurements, without the task-probe benchmark. Other words
choose benchmarks: `make bench BENCH="checkins caseload"`. BENCH_DATABASES=sqlite skips
PostgreSQL. Every figure carries the load average when it was measured: the machine must
be quiet for figures worth comparing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time

from bench.common import ROOT, migrated_template, run_json
from bench.report import write_results_md

ALL = ("checkins", "alerts", "caseload", "outcomes", "missed", "tasks")
MODULES = {
    "checkins": "bench.checkin_throughput",
    "alerts": "bench.alert_latency",
    "caseload": "bench.caseload",
    "outcomes": "bench.outcomes",
    "missed": "bench.missed",
    "tasks": "bench.task_latency",
}


def main() -> None:
    words = set(sys.argv[1:])
    quick = "quick" in words
    if quick:
        os.environ["BENCH_QUICK"] = "1"
    wanted = [name for name in ALL if name in words] or [
        name for name in ALL if not (quick and name == "tasks")
    ]
    databases = [d for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",") if d]
    began = time.monotonic()
    results: dict[str, dict[str, object]] = {name: {} for name in wanted}
    seconds: dict[str, float] = {}
    for database in databases:
        with migrated_template(database):  # migrated once, copied by each benchmark
            for name in wanted:
                print(f"== {name} on {database}", file=sys.stderr, flush=True)
                started = time.monotonic()
                results[name][database] = run_json(MODULES[name], database)
                seconds[f"{name} {database}"] = round(time.monotonic() - started, 1)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "seconds": round(time.monotonic() - began, 1),
        "seconds_each": seconds,
        "results": results,
    }
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    table = write_results_md(report)
    print(table)


if __name__ == "__main__":
    main()
