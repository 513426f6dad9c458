"""Forms built from a definition: one page of questions, and a clinician's request.

The page form only gathers what was sent; the definition's rules (required answers,
allowed options, ranges, enableWhen, cross-item limits) are checked by
`scoring.clean_answers` through the service, and its messages — each naming the
question — are put back on the fields here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from waymark.errors import ServiceErrorFormMixin
from waymark.questionnaires.definition import ContextQuestion, Definition, Item
from waymark.questionnaires.models import Questionnaire

ANSWER_PREFIX = "a-"
CONTEXT_PREFIX = "c-"


class PageForm(ServiceErrorFormMixin, forms.Form):
    """The questions on one page (and, on the first page, the context questions)."""

    def __init__(
        self,
        definition: Definition,
        page: list[str],
        *,
        with_context: bool,
        data: Mapping[str, Any] | None = None,
        answers: Mapping[str, object] | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        initial = {f"{ANSWER_PREFIX}{k}": str(v) for k, v in (answers or {}).items()}
        initial |= {f"{CONTEXT_PREFIX}{k}": str(v) for k, v in (context or {}).items()}
        super().__init__(data=data, initial=initial)
        self.definition = definition
        self.items = [definition.item(link_id) for link_id in page]
        for item in self.items:
            self.fields[f"{ANSWER_PREFIX}{item.link_id}"] = _answer_field(item)
        self.context_questions = list(definition.scoring.context) if with_context else []
        for question in self.context_questions:
            self.fields[f"{CONTEXT_PREFIX}{question.id}"] = _context_field(question)

    def answers(self) -> dict[str, object]:
        return {
            item.link_id: self.cleaned_data.get(f"{ANSWER_PREFIX}{item.link_id}")
            for item in self.items
        }

    def context(self) -> dict[str, object] | None:
        if not self.context_questions:
            return None
        return {
            question.id: self.cleaned_data.get(f"{CONTEXT_PREFIX}{question.id}") or ""
            for question in self.context_questions
        }

    def field_for(self, name: str) -> str | None:
        """A question's linkId names its answer field (or its context question's)."""
        for field in (f"{ANSWER_PREFIX}{name}", f"{CONTEXT_PREFIX}{name}"):
            if field in self.fields:
                return field
        return None

    def questions(self) -> list[tuple[Item | None, ContextQuestion | None, forms.BoundField]]:
        """(item, context question, bound field) in page order, for the template."""
        rows: list[tuple[Item | None, ContextQuestion | None, forms.BoundField]] = [
            (None, question, self[f"{CONTEXT_PREFIX}{question.id}"])
            for question in self.context_questions
        ]
        rows += [(item, None, self[f"{ANSWER_PREFIX}{item.link_id}"]) for item in self.items]
        return rows


def _answer_field(item: Item) -> forms.Field:
    # Required-ness is the definition's business (enableWhen can waive it): see the module doc.
    if item.type == "choice":
        return forms.ChoiceField(
            label=item.text,
            choices=[(str(option.value), option.display) for option in item.options],
            widget=forms.RadioSelect,
            required=False,
            error_messages={"invalid_choice": f"Choose one of the answers to {item.label}."},
        )
    return forms.IntegerField(
        label=item.text,
        required=False,
        widget=forms.NumberInput(
            attrs={
                "inputmode": "numeric",
                "min": item.min_value,
                "max": item.max_value,
                "step": 1,
                "class": "days",
            }
        ),
        error_messages={"invalid": f"Give a whole number for {item.label}."},
    )


def _context_field(question: ContextQuestion) -> forms.Field:
    return forms.ChoiceField(
        label=question.text,
        help_text=question.help,
        choices=[(option.code, option.display) for option in question.options],
        widget=forms.RadioSelect,
        required=False,
    )


class AssignForm(forms.Form):
    """A clinician asks the patient to fill in a questionnaire."""

    questionnaire = forms.ChoiceField(label="Questionnaire")
    days = forms.IntegerField(label="Days to complete it", min_value=1, max_value=30, initial=7)
    note = forms.CharField(label="Note for the record (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, questionnaires: list[Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [  # type: ignore[attr-defined]
            (q.key, f"{q.short_title} — {q.title}") for q in questionnaires
        ]
