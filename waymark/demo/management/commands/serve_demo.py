"""Serve the demo: the web server, a task worker and the scheduler, stopped together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

MANAGE = str(Path(__file__).resolve().parents[4] / "manage.py")


def _stop(signum: int, frame: Any) -> None:
    """SIGTERM stops the demo like Ctrl-C does."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server, a task worker and the scheduler until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        commands = {
            "worker": ["run_worker"],
            "scheduler": ["run_scheduler"],
            "web": ["runserver", "--noreload", options["addrport"]],
        }
        children = {
            name: subprocess.Popen([sys.executable, MANAGE, *command])  # noqa: S603
            for name, command in commands.items()
        }
        self.stdout.write(f"Waymark demo on http://{options['addrport']}/ — Ctrl-C to stop.")
        signal.signal(signal.SIGTERM, _stop)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"Stopped unexpectedly: {', '.join(stopped)}; shutting down.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
