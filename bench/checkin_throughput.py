"""Check-in writes against the no-op endpoint: same server, same auth and middleware.

`python -m bench.checkin_throughput sqlite|postgres`: a fresh database, gunicorn with two
sync workers (bench/common.py), and wrk for the HTTP figures. Three interleaved rounds of
[no-op, first check-in of the day, edit of today's check-in], the order rotating each
round; each figure as min / median / max over the rounds, with requests/s, failed
requests, server CPU per request (from /proc) and the load average when it ran. Then
edits offered open loop at half the median edit rate, each latency measured from the
request's scheduled time (so a stalled server cannot hide its queue). JSON out.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import (
    QUICK,
    ROUNDS,
    bulk_patients,
    free_port,
    load_average,
    percentile,
    spread,
    start_server,
    stop_server,
    use_database,
    wrk,
)
from waymark.testing.real_database import real_database

SECONDS = 2 if QUICK else 10  # wrk takes whole seconds
# Each first-of-day request uses a patient once: more than a round can use even at the
# no-op's rate (~700/s here), since a round that runs out stops early but is still divided
# by its whole length (reported as "ran out of patients": a lower bound, not a rate).
FIRST_PER_ROUND = 2000 if QUICK else 8000
EDITORS = 200
OPEN_LOOP_SECONDS = 2 if QUICK else 10
WARM_UP = 2  # seconds per path, not counted (a worker's first requests compile a lot)
OPEN_LOOP_SENDERS = 32


def body() -> bytes:
    fields = {"idempotency_key": str(uuid.uuid4()), "craving": 3, "mood": 4}
    fields |= {"sleep_hours": "7.0", "sleep_quality": 4, "stress": 3, "safety_concern": False}
    return json.dumps(fields).encode()


def post(port: int, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request("POST", "/api/v1/checkins", body(), headers)
    status = connection.getresponse().status
    connection.close()
    return status


def open_loop(port: int, tokens: list[str], rate: float) -> dict[str, Any]:
    """Edits at `rate` a second on a fixed schedule; latency from each scheduled time."""
    count = max(int(rate * OPEN_LOOP_SECONDS), 1)
    numbers = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failed = [0]
    load = load_average()
    start = time.monotonic() + 0.2

    def sender() -> None:
        while (n := next(numbers)) < count:
            scheduled = start + n / rate
            if (delay := scheduled - time.monotonic()) > 0:
                time.sleep(delay)
            try:
                ok = post(port, tokens[n % len(tokens)]) in (200, 201)
            except OSError:
                ok = False
            with lock:
                latencies.append(time.monotonic() - scheduled)
                failed[0] += not ok

    threads = [threading.Thread(target=sender) for _ in range(OPEN_LOOP_SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "rate": round(rate, 1),
        "requests": count,
        "failed": failed[0],
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "load": load,
    }


def ratio(part: float, whole: float) -> float:
    """part / whole; 0 when a run got nothing through (its failures are in the table)."""
    return part / whole if whole else 0.0


def checked_in_today(prefix: str) -> None:
    from django.utils import timezone

    from waymark.checkins.models import CheckIn
    from waymark.patients.models import Patient

    now, today = timezone.now(), timezone.localdate()
    CheckIn.objects.bulk_create(
        CheckIn(
            organization_id=patient.organization_id,
            patient=patient,
            local_date=today,
            craving=3,
            mood=4,
            sleep_hours=7,
            sleep_quality=4,
            stress=3,
            safety_concern=False,
            completed_at=now,
            completed_on=today,
            submitted_at=now,
            updated_at=now,
        )
        for patient in Patient.objects.filter(user__username__startswith=prefix)
    )


def used_just_now(prefix: str) -> None:
    """Mark the device tokens of `prefix`'s patients used a moment ago, as the no-op's and
    the edits' are (they are cycled: the warm-up used them). A token's last use is written
    at most every 5 minutes (accounts/api.py, LAST_USED_RESOLUTION), whatever the request,
    so that write belongs to neither path; left in, every first-of-day request paid for it
    and no other request did."""
    from django.utils import timezone

    from waymark.accounts.models import ApiToken

    ApiToken.objects.filter(user__username__startswith=prefix).update(last_used_at=timezone.now())


def main() -> None:
    database = sys.argv[1]
    use_database(database)
    with tempfile.TemporaryDirectory() as tmp, real_database(Path(tmp)) as env:
        os.environ.update(env)
        import django

        django.setup()
        files = {}
        for name, count in [("editors", EDITORS)] + [
            (f"first{n}", FIRST_PER_ROUND) for n in range(ROUNDS)
        ]:
            files[name] = Path(tmp) / f"{name}.tokens"
            files[name].write_text("\n".join(bulk_patients(count, prefix=name)) + "\n")
        editors = files["editors"].read_text().split()
        checked_in_today(prefix="editors")  # so that their rounds are edits
        port = free_port()
        server = start_server(env, port)
        runs: dict[str, list[dict[str, Any]]] = {"noop": [], "first": [], "edit": []}
        try:
            # Warm-up, not counted: a worker's first requests compile URLs, queries and
            # templates (a 2 s round at load ~9 could end before the first one finished).
            for path in ("/api/v1/noop", "/api/v1/checkins"):
                wrk(
                    port,
                    path,
                    files["editors"],
                    mode="cycle",
                    seconds=WARM_UP,
                    server_pid=server.pid,
                )
            order = ["noop", "first", "edit"]
            for number in range(ROUNDS):
                for kind in order[number:] + order[:number]:  # rotate: no fixed position
                    path = "/api/v1/noop" if kind == "noop" else "/api/v1/checkins"
                    tokens = files[f"first{number}"] if kind == "first" else files["editors"]
                    mode = "once" if kind == "first" else "cycle"
                    if kind == "first":
                        used_just_now(prefix=f"first{number}")
                    runs[kind].append(
                        wrk(port, path, tokens, mode=mode, seconds=SECONDS, server_pid=server.pid)
                    )
            edit_rate = sorted(run["per_second"] for run in runs["edit"])[ROUNDS // 2]
            half = open_loop(port, editors, max(edit_rate / 2, 1))
        finally:
            stop_server(server)
    figures: dict[str, Any] = {"database": database, "seconds_per_run": SECONDS, "rounds": runs}
    for kind, rounds in runs.items():
        figures[kind] = {
            "per_second": spread([r["per_second"] for r in rounds], 1),
            "cpu_ms_per_request": spread([r["cpu_ms_per_request"] for r in rounds]),
            "p99_ms": spread([r["p99_ms"] for r in rounds], 1),
            "failed": sum(r["failed"] for r in rounds),
            "exhausted": sum(r["exhausted"] for r in rounds),
            "load": spread([r["load"] for r in rounds]),
        }
    for kind in ("first", "edit"):  # ratios round by round, against that round's no-op
        pairs = list(zip(runs["noop"], runs[kind], strict=True))
        figures[kind]["throughput_ratio"] = spread(
            [ratio(k["per_second"], n["per_second"]) for n, k in pairs]
        )
        figures[kind]["cpu_ratio"] = spread(
            [ratio(n["cpu_ms_per_request"], k["cpu_ms_per_request"]) for n, k in pairs]
        )
    figures["half_rate"] = half
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
