"""A real worker process, killed mid-task: after a restart the task runs again and finishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from waymark.testing.real_database import ROOT, manage, real_database

STATUS = (
    "from django_tasks_db.models import DBTaskResult as R; "
    "r = R.objects.get(pk='{id}'); print(r.status, r.return_value, ','.join(r.worker_ids))"
)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with real_database(tmp_path) as environment:
        yield environment


def start_worker(env: dict[str, str], worker_id: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_worker", "--interval", "0.1",
         "--worker-id", worker_id],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_a_task_killed_with_its_worker_runs_again_after_restart(
    env: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "starts.log"
    task_id = manage(
        env, "shell", "-v0", "-c",
        "from waymark.notifications.tests.slow_tasks import hang_the_first_time as t; "
        f"print(t.enqueue('{marker}').id)",
    ).strip()  # fmt: skip
    first = start_worker(env, "first-worker")
    try:
        wait_for(lambda: marker.exists(), 20)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert "RUNNING" in manage(env, "shell", "-v0", "-c", STATUS.format(id=task_id))

    second = start_worker(env, "second-worker")
    try:
        wait_for(
            lambda: manage(env, "shell", "-v0", "-c", STATUS.format(id=task_id)).startswith("SUCC"),
            30,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    status, value, workers = manage(env, "shell", "-v0", "-c", STATUS.format(id=task_id)).split()
    assert (status, value, workers) == ("SUCCESSFUL", "done", "first-worker,second-worker")
    assert marker.read_text().count("start") == 2
