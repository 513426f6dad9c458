"""The scoring engine: pure functions driven by a questionnaire's definition.

Nothing here knows about PHQ-9 or any other instrument; what to add up, what to
reverse, recode or multiply, where the bands and thresholds lie and which answers
are safety answers all come from the definition file (whose `waymark.sources`
name the publications). Arithmetic is exact (integers and `Decimal`), so a total
is never off by a rounding error.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from waymark.questionnaires.definition import (
    MAX_REACHABLE,
    Band,
    Definition,
    Form,
    Item,
    Scale,
)

Answers = Mapping[str, int]


class AnswerError(ValueError):
    """Answers that cannot be scored; `errors` maps each question's linkId to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def number(value: Decimal) -> int | float:
    """A score as JSON wants it: an int when whole (nearly always), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


# --- Checking answers ----------------------------------------------------------------


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _named(item: Item) -> str:
    return f"{item.label.capitalize()} ({_short(item.text)})"


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    return None


def is_enabled(item: Item, answers: Answers) -> bool:
    """FHIR enableWhen: does this question apply, given the other answers?"""
    return all(condition.holds(answers.get(condition.question)) for condition in item.enable_when)


def clean_answers(
    definition: Definition,
    raw: Mapping[str, object],
    *,
    only: Iterable[str] | None = None,
) -> dict[str, int]:
    """Whole-number answers keyed by linkId, or AnswerError naming each bad question.

    `only` checks a subset (one page of the form) for missing answers; by default every
    required question that applies must be answered. Answers to questions that do not
    apply (their enableWhen is false) are dropped.
    """
    errors: dict[str, str] = {}
    known = {item.link_id for item in definition.items}
    for link_id in sorted(set(raw) - known):
        errors[link_id] = f"{definition.short_title} has no question {link_id!r}."
    cleaned: dict[str, int] = {}
    for item in definition.items:
        given = raw.get(item.link_id)
        if given is None or given == "":
            continue
        value = _as_int(given)
        if value is None:
            errors[item.link_id] = f"{_named(item)}: {given!r} is not a whole number."
        elif value not in item.values:
            errors[item.link_id] = _outside(item, value)
        else:
            cleaned[item.link_id] = value
    for item in definition.items:
        if not is_enabled(item, cleaned):
            cleaned.pop(item.link_id, None)
    scope = set(only) if only is not None else known
    for item in definition.items:
        missing = item.link_id not in cleaned and item.link_id not in errors
        if item.link_id in scope and item.required and missing and is_enabled(item, cleaned):
            errors[item.link_id] = f"{_named(item)} needs an answer."
    for constraint in definition.scoring.constraints:
        value, limit = cleaned.get(constraint.item), cleaned.get(constraint.not_above_item)
        if value is not None and limit is not None and value > limit:
            errors.setdefault(constraint.item, constraint.message)
    if errors:
        raise AnswerError(errors)
    return cleaned


def _outside(item: Item, value: int) -> str:
    if item.type == "integer":
        return f"{_named(item)}: give a number from {item.min_value} to {item.max_value}."
    allowed = ", ".join(f"{option.value} ({option.display})" for option in item.options)
    return f"{_named(item)}: {value} is not one of its answers: {allowed}."


def clean_context(definition: Definition, raw: Mapping[str, object]) -> dict[str, str]:
    """Answers to the definition's context questions (e.g. sex, for AUDIT-C's cut-off)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    questions = {question.id: question for question in definition.scoring.context}
    for context_id in sorted(set(raw) - set(questions)):
        errors[context_id] = f"{definition.short_title} does not ask {context_id!r}."
    for question in questions.values():
        given = raw.get(question.id)
        codes = [option.code for option in question.options]
        if given in (None, ""):
            if question.required:
                errors[question.id] = f"{_short(question.text)} needs an answer."
        elif given not in codes:
            errors[question.id] = f"{_short(question.text)}: choose one of {', '.join(codes)}."
        else:
            cleaned[question.id] = str(given)
    if errors:
        raise AnswerError(errors)
    return cleaned


# --- Scoring -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    value: Decimal
    band: Band | None
    flags: tuple[tuple[str, str, Decimal], ...]  # (code, label, threshold used)

    def as_json(self) -> dict[str, Any]:
        band = self.band
        return {
            "id": self.scale.id,
            "label": self.scale.label,
            "value": number(self.value),
            "min": number(self.scale.min),
            "max": number(self.scale.max),
            "higherIs": self.scale.higher_is,
            "band": {
                "code": band.code,
                "label": band.label,
                "patientLabel": band.for_patient,
                "level": band.level,
            }
            if band
            else None,
            "flags": [
                {"code": code, "label": label, "threshold": number(limit)}
                for code, label, limit in self.flags
            ],
        }


@dataclass(frozen=True)
class SafetyHit:
    item: str
    value: int
    rule_id: str


@dataclass(frozen=True)
class ScoreResult:
    form: Form
    scales: tuple[ScaleScore, ...]
    safety: tuple[SafetyHit, ...] = ()
    offers: tuple[str, ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> ScaleScore:
        return next(score for score in self.scales if score.scale.id == self.form.primary)

    def scale(self, scale_id: str) -> ScaleScore:
        return next(score for score in self.scales if score.scale.id == scale_id)

    def as_json(self) -> dict[str, Any]:
        return {
            "form": self.form.id,
            "primary": self.form.primary,
            "scales": [score.as_json() for score in self.scales],
            "safety": [
                {"item": hit.item, "value": hit.value, "ruleId": hit.rule_id} for hit in self.safety
            ],
            "offers": list(self.offers),
        }


def item_points(definition: Definition, form: Form, scale: Scale, link_id: str, raw: int) -> int:
    """What one answer adds to a scale: recoded by the form, then reversed if the scale says."""
    recode = form.recoding_for(link_id)
    value = recode.apply(raw) if recode else raw
    if link_id in scale.reversed:
        possible = _possible_points(definition, form, link_id)
        value = min(possible) + max(possible) - value
    return value


def _possible_points(definition: Definition, form: Form, link_id: str) -> list[int]:
    recode = form.recoding_for(link_id)
    values = definition.item(link_id).values
    return sorted({recode.apply(value) for value in values} if recode else set(values))


def scale_value(definition: Definition, form: Form, scale: Scale, answers: Answers) -> Decimal:
    total = sum(
        item_points(definition, form, scale, link_id, answers[link_id])
        if link_id in answers
        else int(scale.when_skipped or 0)  # a question skipped by enableWhen (checks.py)
        for link_id in scale.items
    )
    return Decimal(total) * scale.multiplier


def score(
    definition: Definition,
    answers: Answers,
    *,
    form_id: str | None = None,
    context: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Score checked answers (see `clean_answers`) with one of the definition's forms."""
    form = definition.form(form_id)
    context = dict(context or {})
    scores = []
    for scale in form.scales:
        value = scale_value(definition, form, scale, answers)
        flags = tuple(
            (flag.code, flag.label, flag.threshold(context))
            for flag in scale.flags
            if flag.is_met(value, context)
        )
        scores.append(ScaleScore(scale, value, scale.band_for(value), flags))
    by_id = {score.scale.id: score for score in scores}
    offers = tuple(
        offer.offer
        for offer in definition.scoring.offers
        if offer.scale in by_id and offer.applies(by_id[offer.scale].value)
    )
    return ScoreResult(form, tuple(scores), safety_hits(definition, answers), offers, context)


def safety_hits(
    definition: Definition, answers: Answers, *, only: Iterable[str] | None = None
) -> tuple[SafetyHit, ...]:
    """The safety answers among `answers` (of the questions in `only`, if given).

    Used on a whole response and on each saved page of a draft: a safety answer is
    acted on when it is given, not when the questionnaire is finished.
    """
    asked = set(only) if only is not None else None
    return tuple(
        SafetyHit(rule.item, answers[rule.item], rule.rule_id)
        for rule in definition.scoring.safety
        if (asked is None or rule.item in asked)
        and answers.get(rule.item) is not None
        and answers[rule.item] > rule.above
    )


def reachable_values(definition: Definition, form: Form, scale: Scale) -> set[Decimal] | None:
    """Every value the scale can take (None if there are too many to list)."""
    sums = {0}
    for link_id in scale.items:
        points = {
            item_points(definition, form, scale, link_id, raw)
            for raw in definition.item(link_id).values
        }
        sums = {total + point for total, point in itertools.product(sums, points)}
        if len(sums) > MAX_REACHABLE:
            return None
    return {Decimal(total) * scale.multiplier for total in sums}
