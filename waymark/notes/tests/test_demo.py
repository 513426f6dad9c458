"""The notes demo step: signed notes, an addendum and drafts; nothing new on a re-run."""

from __future__ import annotations

from waymark.demo.registry import DemoContext, run_step
from waymark.demo.tests.small import row_counts, run_step_at
from waymark.notes import demo
from waymark.notes.models import ClinicalNote, NoteAddendum


def test_it_writes_signed_notes_addenda_and_drafts_once(care_team_ctx: DemoContext) -> None:
    step = run_step_at(care_team_ctx, demo.seed_clinical_notes, 700)
    assert ClinicalNote.objects.filter(signed_at__isnull=False).count() == 3
    assert ClinicalNote.objects.filter(signed_at__isnull=True).count() == 1
    assert NoteAddendum.objects.count() == 1
    assert {note.author.username for note in ClinicalNote.objects.all()} == {"bob"}
    before = row_counts()
    run_step(care_team_ctx, step)
    assert row_counts() == before
