from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from waymark.notifications.scheduler import tick


class Command(BaseCommand):
    help = "Enqueue Waymark's periodic jobs once a minute (reminders, escalations, recovery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One tick, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            names = tick(timezone.now())
            if options["verbosity"] > 1 or options["once"]:
                self.stdout.write(f"Enqueued: {', '.join(names) or 'nothing new'}")
            if options["once"]:
                return
            # Sleep to just after the next minute boundary.
            time.sleep(60.5 - time.time() % 60)
