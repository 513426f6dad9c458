"""Check-in writes against the no-op, in one process: CPU per request, and where it goes.

`python -m bench.profile_checkin sqlite|postgres [requests] [--profile first|edit|noop]`:
a fresh database (as the other benchmarks), the server's settings (bench/common.py), and
`requests` POSTs of each kind (default 300) through django.test.Client with a device
token, in 3 interleaved rounds. Prints CPU ms per request (time.process_time) and the
no-op / check-in ratios with the load average; with --profile, cProfile's top functions
for that kind. Not a throughput figure (no server, no network): it tells the Python cost
of a request apart from everything else, to find what to cut (issue 13, point 2).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import (
    ROUNDS,
    SERVER_SETTINGS,
    bulk_patients,
    load_average,
    use_database,
)
from waymark.testing.real_database import real_database


def body() -> str:
    fields = {"idempotency_key": str(uuid.uuid4()), "craving": 3, "mood": 4}
    fields |= {"sleep_hours": "7.0", "sleep_quality": 4, "stress": 3, "safety_concern": False}
    return json.dumps(fields)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    database, requests = args[0], int(args[1]) if len(args) > 1 else 300
    profiled = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else ""
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        os.environ.update(SERVER_SETTINGS)
        os.environ["ALLOWED_HOSTS"] = "testserver"
        import django

        django.setup()
        from django.test import Client

        from bench.checkin_throughput import checked_in_today, used_just_now

        tokens = {
            "editors": bulk_patients(50, prefix="editors"),
            **{f"first{n}": bulk_patients(requests, prefix=f"first{n}") for n in range(ROUNDS)},
        }
        checked_in_today(prefix="editors")
        client = Client()

        def post(path: str, token: str) -> None:
            response = client.post(
                path, body(), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code in (200, 201, 204), response.content

        for token in tokens["editors"][:20]:  # warm up: URLs, queries, schemas compiled
            post("/api/v1/noop", token)
            post("/api/v1/checkins", token)
        cpu: dict[str, list[float]] = {"noop": [], "first": [], "edit": []}
        loads: list[float] = []
        profile = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        order = ["noop", "first", "edit"]
        for number in range(ROUNDS):
            for kind in order[number:] + order[:number]:
                path = "/api/v1/noop" if kind == "noop" else "/api/v1/checkins"
                chosen = tokens[f"first{number}"] if kind == "first" else tokens["editors"]
                loads.append(load_average())
                if kind == "first":
                    used_just_now(prefix=f"first{number}")
                if kind == profiled:
                    profile.enable()
                began = time.process_time()
                for n in range(requests):
                    post(path, chosen[n % len(chosen)])
                cpu[kind].append((time.process_time() - began) * 1000 / requests)
                if kind == profiled:
                    profile.disable()
    figures: dict[str, Any] = {
        "database": database,
        "requests": requests,
        "rounds": ROUNDS,
        "load": {"min": min(loads), "max": max(loads)},
        "cpu_ms_per_request": {k: [round(v, 2) for v in vs] for k, vs in cpu.items()},
    }
    for kind in ("first", "edit"):
        ratios = [n / k for n, k in zip(cpu["noop"], cpu[kind], strict=True)]
        figures[f"{kind}_cpu_ratio"] = round(statistics.median(ratios), 2)
    if profiled:
        dump = Path(os.environ.get("PROFILE_OUT", "var/checkin.prof"))
        dump.parent.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(dump)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue(), file=sys.stderr)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
