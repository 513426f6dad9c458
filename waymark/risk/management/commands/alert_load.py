"""`manage.py alert_load --days 30`: alerts per patient per week, by rule and severity."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from waymark.alerts.models import Severity
from waymark.patients.models import Patient
from waymark.risk.load import replay
from waymark.risk.registry import title_for


class Command(BaseCommand):
    help = "Replay the stored patients through the rules and print the alert load."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="days to replay (default 30)")
        parser.add_argument(
            "--resolve-after",
            type=int,
            default=2,
            help="days after which an alert is taken as resolved (default 2)",
        )
        parser.add_argument("--organization", help="an organization's slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1 or days > 366:
            self.stderr.write("--days must be between 1 and 366.")
            raise SystemExit(2)
        patients = Patient.objects.select_related("organization").order_by("pk")
        if options["organization"]:
            patients = patients.filter(organization__slug=options["organization"])
        patients_list = list(patients)
        with tqdm(total=len(patients_list), desc="Replaying", unit="patient") as bar:

            def advance() -> None:
                bar.update(1)

            load = replay(
                patients_list,
                days=days,
                until=timezone.localdate(),
                resolve_after_days=options["resolve_after"],
                progress=advance,
            )
        self.stdout.write(
            f"\n{load.patients} patients × {days} days = {load.patient_weeks:.1f} patient-weeks\n"
        )
        self.stdout.write(f"{'rule':<52} {'severity':<9} {'alerts':>6} {'/patient/week':>14}")
        for (rule_id, severity), count in sorted(
            load.alerts.items(), key=lambda item: (-item[0][1], -item[1])
        ):
            name = f"{title_for(rule_id)} ({rule_id})"[:52]
            label = Severity(severity).label
            per_week = load.per_patient_week(count)
            self.stdout.write(f"{name:<52} {label:<9} {count:>6} {per_week:>14.3f}")
        self.stdout.write("")
        for severity, count in sorted(load.by_severity().items(), reverse=True):
            self.stdout.write(
                f"{Severity(severity).label:<9} alerts: {count:>5} "
                f"({load.per_patient_week(count):.3f} per patient per week)"
            )
        total = sum(load.notifications.values())
        self.stdout.write(
            f"Care-team notifications (new alerts and repeated safety answers): {total} "
            f"({load.per_patient_week(total):.3f} per patient per week)"
        )
