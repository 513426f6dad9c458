"""AUDIT-C: the attribution is the VA's wording, and a non-drinker (question 1 "Never")
skips questions 2 and 3, which score 0 (FHIR enableWhen)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from waymark.questionnaires.definition import DefinitionError, parse_definition
from waymark.questionnaires.scoring import AnswerError, clean_answers, clean_context, score
from waymark.questionnaires.tests.helpers import builtin, definition, numbered


def _total(answers: dict[str, int], sex: str = "male") -> tuple[Decimal, list[str]]:
    audit = definition("audit-c")
    result = score(audit, clean_answers(audit, answers), context=clean_context(audit, {"sex": sex}))
    (total,) = result.scales
    return total.value, [code for code, _, _ in total.flags]


def test_a_non_drinker_skips_questions_2_and_3_and_scores_0() -> None:
    audit = definition("audit-c")

    cleaned = clean_answers(audit, {"1": 0})

    assert cleaned == {"1": 0}
    assert _total({"1": 0}) == (Decimal(0), [])


def test_skipped_answers_sent_anyway_are_dropped() -> None:
    assert _total({"1": 0, "2": 4, "3": 4}) == (Decimal(0), [])


def test_a_drinker_must_answer_questions_2_and_3() -> None:
    with pytest.raises(AnswerError) as refused:
        clean_answers(definition("audit-c"), {"1": 2})

    assert {"2", "3"} <= set(refused.value.errors)


@pytest.mark.parametrize(
    ("answers", "sex", "total", "positive"),
    [
        # Published scoring (Bush et al. 1998; Bradley et al. 2007): 0-12, positive >= 4
        # for men and >= 3 for women.
        ([1, 0, 0], "male", 1, False),
        ([2, 1, 0], "female", 3, True),
        ([2, 1, 0], "male", 3, False),
        ([4, 4, 4], "male", 12, True),
    ],
)
def test_drinkers_keep_the_published_scoring(
    answers: list[int], sex: str, total: int, positive: bool
) -> None:
    assert _total(numbered(answers), sex) == (Decimal(total), ["positive"] if positive else [])


def test_the_attribution_is_the_vas_wording_not_whos() -> None:
    copyright_line = builtin("audit-c")["copyright"]

    assert "Veterans Affairs" in copyright_line and "Bush" in copyright_line
    assert "WHO's AUDIT asks" in copyright_line


def test_a_scored_question_with_enable_when_needs_when_skipped() -> None:
    data = builtin("audit-c")
    del data["waymark"]["forms"][0]["scales"][0]["whenSkipped"]

    with pytest.raises(DefinitionError) as refused:
        parse_definition(data)

    problems = refused.value.problems
    assert any("scored question 2 must be required and always asked" in p for p in problems)
