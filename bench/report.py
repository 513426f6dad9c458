"""bench/RESULTS.md, generated from bench/results/latest.json (`python -m bench.report`
regenerates it). Each figure is min / median / max over the interleaved rounds where
there are rounds, and every row gives the 1-minute load average when it was measured."""

from __future__ import annotations

import json
from typing import Any

from bench.common import ROOT

LATEST = ROOT / "bench" / "results" / "latest.json"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"


def mmm(figure: dict[str, float]) -> str:
    return f"{figure['min']} / {figure['median']} / {figure['max']}"


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def checkins(results: dict[str, Any]) -> list[str]:
    rows = []
    for database, r in results.items():
        for kind, label in (("noop", "no-op"), ("first", "first of the day"), ("edit", "edit")):
            f = r[kind]
            ratios = (
                (mmm(f["throughput_ratio"]), mmm(f["cpu_ratio"])) if kind != "noop" else ("", "")
            )
            exhausted = " (ran out of patients)" if f["exhausted"] else ""
            rows.append([
                database, label, mmm(f["per_second"]) + exhausted, *ratios,
                mmm(f["cpu_ms_per_request"]), mmm(f["p99_ms"]), f["failed"], mmm(f["load"]),
            ])  # fmt: skip
        h = r["half_rate"]
        rows.append([
            database, f"edit, open loop at {h['rate']}/s", f"p50 {h['p50_ms']} ms", "", "", "",
            f"{h['p99_ms']}", h["failed"], h["load"],
        ])  # fmt: skip
    header = [
        "database", "request", "req/s", "× no-op (req/s)", "× no-op (CPU)",
        "server CPU ms/req", "p99 ms", "failed", "load avg",
    ]  # fmt: skip
    return [
        "## Check-in writes vs the no-op (wrk; min / median / max of rounds)",
        "",
        *table(header, rows),
    ]


def caseload(results: dict[str, Any]) -> list[str]:
    rows = []
    for database, r in results.items():
        for size, f in r["results"].items():
            c = f["caseload"]
            rows.append([
                database, size, c["requests"], c["p50_ms"], c["p95_ms"], c["max_ms"],
                c["failed"], f["queries"], f.get("render_share", ""), f["reassess"]["p95_ms"],
                c["load"],
            ])  # fmt: skip
    header = [
        "database", "patients", "page requests", "p50 ms", "p95 ms", "max ms", "failed",
        "queries/page", "template share of a request (cProfile)", "reassess p95 ms", "load avg",
    ]  # fmt: skip
    title = "## Caseload pages (first pages by their next links, a fresh connection each)"
    return [title, "", *table(header, rows)]


def alerts(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            database,
            r["checkins"],
            r["alerts_at_commit"],
            r["deliveries_started"],
            r["p50_s"],
            r["p95_s"],
            r["background_checkins_per_s"],
            r["background_failed"],
            r["load"],
        ]
        for database, r in results.items()
    ]
    header = [
        "database", "risky check-ins", "alerts at commit", "e-mails started", "p50 s",
        "p95 s", "background check-ins/s", "background failed", "load avg",
    ]  # fmt: skip
    return ["## Risky check-in → alert → urgent e-mail task started", "", *table(header, rows)]


def tasks(results: dict[str, Any]) -> list[str]:
    rows = [
        [
            database,
            t["scenario"],
            t["workers"],
            t["load_tasks_per_s"],
            t["p50_s"],
            t["p95_s"],
            t["max_s"],
            t["load"],
        ]
        for database, r in results.items()
        for t in r["results"]
    ]
    header = ["database", "scenario", "workers", "tasks/s", "p50 s", "p95 s", "max s", "load avg"]
    return ["## Task queue: enqueue → start", "", *table(header, rows)]


def outcomes(results: dict[str, Any]) -> list[str]:
    rows = [
        [database, f["patients"], f["days"], f["p50_ms"], f["max_ms"], f["queries"], f["load"]]
        for database, r in results.items()
        for f in [r["results"]]
    ]
    header = ["database", "patients", "days", "p50 ms", "max ms", "queries", "load avg"]
    title = "## Outcomes dashboard (365-day period, in-process, target ≤ 2 s)"
    return [title, "", *table(header, rows)]


def missed(results: dict[str, Any]) -> list[str]:
    rows = [
        [database, f["patients"], f["days"], f["closed"], f["missed"], f["not_looked_at"],
         f["p50_ms"], f["max_ms"], f["queries"], f["load"]]
        for database, r in results.items()
        for f in [r["results"]]
    ]  # fmt: skip
    header = ["database", "patients", "days", "closed", "missed", "not looked at", "p50 ms",
              "max ms", "queries", "load avg"]  # fmt: skip
    title = "## Outcomes: questionnaires missed / not looked at (the dashboard's list, in-process)"
    return [title, "", *table(header, rows)]


SECTIONS = {
    "checkins": checkins,
    "caseload": caseload,
    "alerts": alerts,
    "outcomes": outcomes,
    "missed": missed,
    "tasks": tasks,
}


def write_results_md(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `make bench{' BENCH=quick' if report['quick'] else ''}` from"
        f" bench/results/latest.json on {report['when']} ({report['machine']['cpus']} CPUs,"
        f" Python {report['machine']['python']}, {report['seconds']} s). Do not edit by hand.",
        "A load average well above the number of CPUs means the figures were measured on a"
        " busy machine and say little.",
    ]
    for name, results in report["results"].items():
        lines += ["", *SECTIONS[name](results)]
    text = "\n".join(lines) + "\n"
    RESULTS_MD.write_text(text)
    return text


if __name__ == "__main__":
    write_results_md(json.loads(LATEST.read_text()))
