"""Run a task worker: django-tasks-db's worker, with a heartbeat and crash recovery.

Run several against PostgreSQL for more throughput: each claims tasks with
SELECT … FOR UPDATE SKIP LOCKED, so no task runs twice at once. On PostgreSQL an idle
worker wakes as soon as a task is enqueued (notifications/wakeup.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from waymark.notifications.wakeup import Wakeup, WakingWorker
from waymark.notifications.worker import Heartbeat, beat, recover_stalled_tasks


class Command(BaseCommand):
    help = "Run a Waymark task worker (all queues) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls.")
        parser.add_argument("--worker-id", default="", help="Unique id (default: random).")
        parser.add_argument("--batch", action="store_true", help="Run what is ready, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or get_random_string(24)
        heartbeat = Heartbeat(worker_id)
        beat(worker_id, started_at=heartbeat.started_at)
        recovered = recover_stalled_tasks()
        if recovered:
            self.stderr.write(f"Re-queued {recovered} task(s) left running by a stopped worker.")
        heartbeat.start()
        wakeup = Wakeup(options["interval"])
        worker = WakingWorker(
            wakeup=wakeup,
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        woken = "woken by each new task, else " if wakeup.listening else ""
        self.stdout.write(
            f"Worker {worker_id} running ({woken}polling every {options['interval']} s)."
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            heartbeat.stop()
