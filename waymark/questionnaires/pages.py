"""Paging a questionnaire for a phone: which pages apply, where to go next, progress.

Kept apart from views.py so each view stays short; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from waymark.errors import ServiceError
from waymark.patients.models import Patient
from waymark.questionnaires.definition import Definition, Item
from waymark.questionnaires.due import Occurrence
from waymark.questionnaires.forms import PageForm
from waymark.questionnaires.models import Draft, Questionnaire, QuestionnaireResponse
from waymark.questionnaires.scoring import is_enabled, safety_hits
from waymark.questionnaires.services import (
    draft_for,
    open_occurrence,
    questionnaire_for,
)


@dataclass
class FillState:
    questionnaire: Questionnaire
    definition: Definition
    draft: Draft | None
    occurrence: Occurrence | None
    pages: list[list[str]] = field(default_factory=list)
    last_context: dict[str, str] = field(default_factory=dict)

    @property
    def answers(self) -> Mapping[str, int]:
        return self.draft.answers if self.draft else {}

    @property
    def is_correction(self) -> bool:
        return bool(self.draft and self.draft.corrects_id)

    @property
    def has_safety_answer(self) -> bool:
        """A safety answer is saved in the draft: its pages show crisis help from then on."""
        return bool(safety_hits(self.definition, self.answers))


def visible_pages(definition: Definition, answers: Mapping[str, int]) -> list[list[str]]:
    """Pages with at least one question that applies (e.g. BAM 7A-7G only after use)."""
    return [
        page
        for page in definition.pages
        if any(is_enabled(definition.item(link_id), answers) for link_id in page)
    ]


def fillable(patient: Patient, key: str) -> FillState | None:
    """What the patient may fill in for `key` now, or None if it is not open for them."""
    draft = draft_for(patient, key)
    try:
        questionnaire = questionnaire_for(
            patient, key, corrects=draft.corrects if draft and draft.corrects_id else None
        )
    except ServiceError:
        return None
    occurrence = open_occurrence(patient, key)
    if occurrence is None and not (draft and draft.corrects_id):
        return None
    definition = questionnaire.parsed
    last = (
        QuestionnaireResponse.objects.filter(
            organization_id=patient.organization_id, patient=patient, questionnaire_key=key
        )
        .order_by("-submitted_at")
        .values_list("context", flat=True)
        .first()
    )
    state = FillState(questionnaire, definition, draft, occurrence, last_context=last or {})
    state.pages = visible_pages(definition, state.answers)
    return state


def page_number(raw: str | None, count: int) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(count, 1))


def after_page(state: FillState, draft: Draft, number: int, post: Mapping[str, Any]) -> str:
    """The next page (recounted: an answer can add or remove pages), or the review."""
    pages = visible_pages(state.definition, draft.answers)
    key = state.questionnaire.base_key
    if number < len(pages):
        return f"{reverse('questionnaires:fill', args=[key])}?page={number + 1}"
    return reverse("questionnaires:review", args=[key])


def _answered(definition: Definition, answers: Mapping[str, int]) -> tuple[int, int]:
    applicable = [item for item in definition.items if is_enabled(item, answers)]
    return sum(item.link_id in answers for item in applicable), len(applicable)


def fill_context(state: FillState, form: PageForm, number: int) -> dict[str, Any]:
    answered, total = _answered(state.definition, state.answers)
    return {
        "state": state,
        "questionnaire": state.questionnaire,
        "definition": state.definition,
        "form": form,
        "number": number,
        "page_count": len(state.pages),
        "answered": answered,
        "total": total,
        "previous_url": (
            reverse("questionnaires:fill", args=[state.questionnaire.base_key])
            + f"?page={number - 1}"
            if number > 1
            else ""
        ),
        "is_last": number == len(state.pages),
    }


@dataclass(frozen=True)
class ReviewRow:
    item: Item
    answer: str
    page: int
    error: str


def review_context(state: FillState, errors: Mapping[str, list[str]]) -> dict[str, Any]:
    definition, answers = state.definition, state.answers
    page_of = {link_id: i for i, page in enumerate(state.pages, start=1) for link_id in page}
    rows = [
        ReviewRow(
            item=item,
            answer=item.display(answers[item.link_id]) if item.link_id in answers else "",
            page=page_of.get(item.link_id, 1),
            error=" ".join(errors.get(item.link_id, [])),
        )
        for item in definition.items
        if is_enabled(item, answers)
    ]
    shown = {row.item.link_id for row in rows}
    general = [m for name, msgs in errors.items() if name not in shown for m in msgs]
    context_answers = [
        (question.text, next((o.display for o in question.options if o.code == value), ""))
        for question in definition.scoring.context
        if (value := state.draft.context.get(question.id) if state.draft else None)
    ]
    answered, total = _answered(definition, answers)
    return {
        "state": state,
        "questionnaire": state.questionnaire,
        "definition": definition,
        "rows": rows,
        "general_errors": general,
        "context_answers": context_answers,
        "answered": answered,
        "total": total,
        "page_count": len(state.pages),
    }
