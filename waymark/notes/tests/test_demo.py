"""The notes demo step: signed notes, an addendum and drafts; nothing new on a re-run."""

from __future__ import annotations

import pytest

from waymark.accounts.models import User
from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import care_team_demo, row_counts, step_of
from waymark.notes import demo
from waymark.notes.models import ClinicalNote, NoteAddendum
from waymark.organizations.models import Organization
from waymark.patients.models import Patient


@pytest.fixture
def ctx(northstar: Organization, alice: Patient, dana: Patient, bob: User) -> DemoContext:
    return care_team_demo(northstar, bob, alice, dana)


def test_it_writes_signed_notes_addenda_and_drafts_once(ctx: DemoContext) -> None:
    step = step_of(demo.seed_clinical_notes)
    assert step.order == 700
    run_step(ctx, step)
    assert ClinicalNote.objects.filter(signed_at__isnull=False).count() == 3
    assert ClinicalNote.objects.filter(signed_at__isnull=True).count() == 1
    assert NoteAddendum.objects.count() == 1
    assert {note.author.username for note in ClinicalNote.objects.all()} == {"bob"}
    before = row_counts()
    run_step(ctx, step)
    assert row_counts() == before
