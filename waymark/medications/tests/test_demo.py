"""The medications demo step: a flagged combination and its alert; nothing new on a re-run."""

from __future__ import annotations

from waymark.alerts.models import Alert
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import row_counts, run_step_at
from waymark.medications import demo
from waymark.medications.models import Medication


def test_it_adds_medications_with_a_flagged_combination_once(care_team_ctx: DemoContext) -> None:
    step = run_step_at(care_team_ctx, demo.seed_medications, 710)
    assert list(Medication.objects.order_by("name").values_list("name", flat=True)) == [
        "Methadone",
        "Naltrexone",
        "Sertraline",
    ]
    # Naltrexone for Dana's drinking is no ketamine review: she has no ketamine treatment.
    assert set(Alert.objects.values_list("rule_id", flat=True)) == {
        "medication.depressed_breathing"
    }
    before = row_counts()
    run_step(care_team_ctx, step)
    assert row_counts() == before
