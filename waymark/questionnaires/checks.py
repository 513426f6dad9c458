"""Checks on a parsed definition's meaning: cross-references and reachable ranges.

pydantic and the FHIR models check shape; these check sense — every scored question
exists and is always asked, recoding bins cover every answer, every score a scale can
reach falls in exactly one band, the declared range is the real one.
"""

from __future__ import annotations

from decimal import Decimal

from waymark.questionnaires.definition import KEY_PATTERN, Definition, Form, Scale
from waymark.questionnaires.scoring import reachable_values


def check_meaning(definition: Definition) -> list[str]:
    """Cross-references and ranges: what pydantic and FHIR cannot see on their own."""
    problems: list[str] = []
    scoring = definition.scoring
    answerable = {item.link_id for item in definition.items}
    context_ids = {question.id for question in scoring.context}

    paged = [link_id for page in definition.pages for link_id in page]
    if sorted(paged) != sorted(answerable) or len(paged) != len(set(paged)):
        problems.append("waymark.pages must list every question exactly once")
    for item in definition.items:
        for condition in item.enable_when:
            if condition.question not in answerable:
                problems.append(f"item {item.link_id}: enableWhen names unknown question")
    form_ids = [form.id for form in scoring.forms]
    if len(set(form_ids)) != len(form_ids):
        problems.append("waymark.forms: two forms share an id")
    if scoring.default_form not in form_ids:
        problems.append(f"waymark.defaultForm {scoring.default_form!r} is not a form")
    for form in scoring.forms:
        where = f"waymark.forms[{form.id}]"
        scale_ids = [scale.id for scale in form.scales]
        if len(set(scale_ids)) != len(scale_ids):
            problems.append(f"{where}: two scales share an id")
        if form.primary not in scale_ids:
            problems.append(f"{where}: primary {form.primary!r} is not one of its scales")
        for recode in form.recode:
            for link_id in recode.items:
                if link_id not in answerable:
                    problems.append(f"{where}.recode: unknown question {link_id}")
                    continue
                for value in definition.item(link_id).values:
                    if sum(bin_.min <= value <= bin_.max for bin_ in recode.bins) != 1:
                        problems.append(f"{where}.recode: {value} for {link_id} is not in one bin")
        for scale in form.scales:
            problems.extend(_check_scale(definition, form, scale, answerable, context_ids))
    for rule in scoring.safety:
        if rule.item not in answerable:
            problems.append(f"waymark.safety: unknown question {rule.item}")
        if not _is_registered_safety_rule(rule.rule_id):
            problems.append(f"waymark.safety: {rule.rule_id} is not a registered safety rule")
    default_scales = {scale.id for scale in definition.form().scales} if not problems else set()
    if scoring.change and default_scales and scoring.change.scale not in default_scales:
        problems.append(f"waymark.change: unknown scale {scoring.change.scale}")
    change_scale = scoring.change.scale if scoring.change else ""
    worse = change_scale in default_scales and definition.form().scale(change_scale)
    if worse and worse.higher_is != "worse":
        problems.append("waymark.change: response and remission need a scale where higher is worse")
    for offer in scoring.offers:
        if default_scales and offer.scale not in default_scales:
            problems.append(f"waymark.offers: unknown scale {offer.scale}")
        if not KEY_PATTERN.match(offer.offer):
            problems.append(f"waymark.offers: {offer.offer!r} is not a questionnaire id")
    for constraint in scoring.constraints:
        for link_id in (constraint.item, constraint.not_above_item):
            if link_id not in answerable:
                problems.append(f"waymark.constraints: unknown question {link_id}")
    if not problems:
        # Last: the reachable totals, which assume everything above is sound.
        for form in scoring.forms:
            for scale in form.scales:
                problems.extend(_check_range(definition, form, scale))
    return problems


def _check_scale(
    definition: Definition, form: Form, scale: Scale, answerable: set[str], context_ids: set[str]
) -> list[str]:
    where = f"waymark.forms[{form.id}].scales[{scale.id}]"
    problems = []
    for link_id in scale.items:
        if link_id not in answerable:
            problems.append(f"{where}: unknown question {link_id}")
            continue
        item = definition.item(link_id)
        if not item.required or (item.enable_when and scale.when_skipped is None):
            problems.append(
                f"{where}: scored question {link_id} must be required and always asked "
                "(or the scale gives whenSkipped, the points of a question skipped by enableWhen)"
            )
    for link_id in scale.reversed:
        if link_id not in scale.items:
            problems.append(f"{where}: reversed question {link_id} is not in the scale")
    if len({band.code for band in scale.bands}) != len(scale.bands):
        problems.append(f"{where}: two bands share a code")
    for flag in scale.flags:
        if (flag.at_least is None) == (flag.at_most is None):
            problems.append(f"{where}.flags[{flag.code}]: give exactly one of atLeast or atMost")
        for context_id in flag.by_context:
            if context_id not in context_ids:
                problems.append(f"{where}.flags[{flag.code}]: unknown context {context_id!r}")
    if scale.multiplier <= 0:
        problems.append(f"{where}: multiplier must be positive")
    return problems


def _check_range(definition: Definition, form: Form, scale: Scale) -> list[str]:
    where = f"waymark.forms[{form.id}].scales[{scale.id}]"
    values: set[Decimal] | None = reachable_values(definition, form, scale)
    if values is None:
        return []
    problems = []
    low, high = min(values), max(values)
    if (low, high) != (scale.min, scale.max):
        problems.append(f"{where}: declared range {scale.min}-{scale.max}, reachable {low}-{high}")
    if scale.bands:
        for value in sorted(values):
            count = sum(band.contains(value) for band in scale.bands)
            if count != 1:
                problems.append(f"{where}: the score {value} falls in {count} bands, not one")
                break
    return problems


def _is_registered_safety_rule(rule_id: str) -> bool:
    from waymark.risk.registry import get

    rule = get(rule_id)
    return rule is not None and rule.safety
