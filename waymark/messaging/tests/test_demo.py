"""The messaging demo step: one read and one unread message each way; nothing new on a re-run."""

from __future__ import annotations

from waymark.accounts.models import User
from waymark.conftest import actor
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import row_counts, step_of
from waymark.messaging import demo
from waymark.messaging.models import Message, Thread
from waymark.messaging.services import unread_for_patient, unread_for_staff
from waymark.patients.models import Patient


def test_it_writes_a_short_thread_once(
    care_team_ctx: DemoContext, alice: Patient, bob: User
) -> None:
    step = step_of(demo.seed_messages)
    run_step(care_team_ctx, step)
    assert Thread.objects.filter(patient=alice).count() == 2
    assert Message.objects.filter(read_at__isnull=False).count() == 1
    assert unread_for_patient(alice) == 1  # the clinician's reply
    assert unread_for_staff(actor(bob)) == 1  # the newer question
    before = row_counts()
    run_step(care_team_ctx, step)
    assert row_counts() == before
