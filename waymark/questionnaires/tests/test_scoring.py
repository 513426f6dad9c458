"""The scoring engine reproduces the published examples and every rule in the definitions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from waymark.questionnaires.definition import parse_definition
from waymark.questionnaires.scoring import AnswerError, clean_answers, clean_context, score
from waymark.questionnaires.tests.helpers import (
    PUBLISHED_GAD7,
    PUBLISHED_PHQ9,
    bam_answers,
    custom_definition,
    definition,
    numbered,
)


def test_it_scores_the_published_phq9_example_as_12_moderate() -> None:
    phq9 = definition("phq-9")
    result = score(phq9, clean_answers(phq9, numbered(PUBLISHED_PHQ9)))
    assert result.primary.value == 12
    assert result.primary.band is not None
    assert (result.primary.band.code, result.primary.band.label) == ("moderate", "Moderate")
    assert result.safety == ()


def test_it_scores_the_published_gad7_example_as_7_mild() -> None:
    gad7 = definition("gad-7")
    result = score(gad7, clean_answers(gad7, numbered(PUBLISHED_GAD7)))
    assert result.primary.value == 7
    assert result.primary.band is not None and result.primary.band.label == "Mild"


def test_it_leaves_phq9_question_10_out_of_the_total() -> None:
    phq9 = definition("phq-9")
    answers = {**numbered(PUBLISHED_PHQ9), "10": 3}
    assert score(phq9, clean_answers(phq9, answers)).primary.value == 12


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_it_flags_any_answer_above_zero_to_phq9_item_9(item9: int) -> None:
    phq9 = definition("phq-9")
    answers = numbered([0, 0, 0, 0, 0, 0, 0, 0, item9])
    result = score(phq9, clean_answers(phq9, answers))
    assert [(hit.item, hit.value, hit.rule_id) for hit in result.safety] == [
        ("9", item9, "phq9.item9")
    ]
    assert result.primary.band is not None and result.primary.band.code == "minimal"


def test_it_multiplies_the_who5_raw_score_by_four() -> None:
    who5 = definition("who-5")
    result = score(who5, clean_answers(who5, numbered([3, 3, 2, 2, 3])))  # raw 13
    assert result.primary.value == 52
    assert result.primary.band is not None and result.primary.band.code == "adequate"
    assert result.offers == ()


@pytest.mark.parametrize(
    ("raw", "expected", "band", "offers"),
    [
        ([2, 2, 2, 2, 4], 48, "poor", ()),  # < 50: poor wellbeing
        ([2, 2, 1, 1, 1], 28, "very_low", ("phq-9",)),  # <= 28: offer a PHQ-9
        ([0, 0, 0, 0, 0], 0, "very_low", ("phq-9",)),
        ([5, 5, 5, 5, 5], 100, "adequate", ()),
    ],
)
def test_it_bands_who5_and_offers_a_phq9_at_28_or_below(
    raw: list[int], expected: int, band: str, offers: tuple[str, ...]
) -> None:
    who5 = definition("who-5")
    result = score(who5, clean_answers(who5, numbered(raw)))
    assert result.primary.value == expected
    assert result.primary.band is not None and result.primary.band.code == band
    assert result.offers == offers


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 3, False),
        ("male", 4, True),
        ("female", 2, False),
        ("female", 3, True),
        ("unspecified", 3, True),  # the lower cut-off when sex is not given
        (None, 3, True),
        (None, 2, False),
    ],
)
def test_it_uses_the_audit_c_cut_off_for_the_persons_sex(
    sex: str | None, total: int, positive: bool
) -> None:
    audit = definition("audit-c")
    answers = clean_answers(audit, numbered([min(total, 4), max(0, total - 4), 0]))
    context = clean_context(audit, {"sex": sex} if sex else {})
    result = score(audit, answers, context=context)
    assert result.primary.value == total
    assert bool(result.primary.flags) is positive


def test_it_scores_the_bam_subscales_on_the_likert_form() -> None:
    bam = definition("bam")
    answers = clean_answers(bam, bam_answers(q4=5, q5=2, q6=1, q7e=1))
    result = score(bam, answers, form_id="likert")
    # Use = 4+5+6 recoded: 5 days -> 2, 2 days -> 1, 1 day -> 1
    assert result.scale("use").value == 4
    # Risk = 1 (Good=2) + 2 (5 nights -> 2) + 3 (2 days -> 1) + 8 (1) + 11 (1 day -> 1) + 15 (1)
    assert result.scale("risk").value == 8
    # Protective = 9 (3) + 10 (8 days -> 2) + 12 (2) + 13 (20 -> 4) + 14 (Yes = 4) + 16 (25 -> 4)
    assert result.scale("protective").value == 19
    assert result.form.id == "likert"
    use_band = result.scale("use").band
    assert use_band is not None and use_band.code == "some"


def test_it_scores_the_bam_day_count_form_from_the_same_answers() -> None:
    bam = definition("bam")
    answers = clean_answers(bam, bam_answers(q4=5, q5=2, q6=1, q7e=1))
    result = score(bam, answers, form_id="day_count")
    # The published scores, as on the Likert form (day counts recoded), never a raw sum.
    assert [result.scale(s).value for s in ("use", "risk", "protective")] == [4, 8, 19]
    # The day counts themselves stay in the answers, as given.
    assert (answers["4"], answers["5"], answers["6"]) == (5, 2, 1)
    assert result.as_json()["form"] == "day_count"
    labels = " ".join(scale.label for scale in result.form.scales).lower()
    assert "raw sum" not in labels


def test_it_applies_the_bam_flags_at_their_published_limits() -> None:
    bam = definition("bam")
    calm = score(bam, clean_answers(bam, bam_answers()), form_id="likert")
    assert calm.scale("use").value == 0
    assert [calm.scale(s).band.code for s in ("use", "risk", "protective")] == [  # type: ignore[union-attr]
        "none",
        "lower",
        "higher",
    ]
    hard = bam_answers(q1=4, q2=30, q3=30, q8=4, q11=10, q15=0, q9=0, q10=0, q12=0, q13=0, q14=0)
    hard["16"] = 30
    result = score(bam, clean_answers(bam, hard), form_id="likert")
    assert result.scale("risk").value == 4 + 4 + 4 + 4 + 3 + 0  # 19 >= 12: high
    assert result.scale("risk").band.code == "high"  # type: ignore[union-attr]
    assert result.scale("protective").value == 4  # <= 12: low
    assert result.scale("protective").band.code == "low"  # type: ignore[union-attr]


def test_it_reverses_the_items_a_definition_marks_reversed() -> None:
    craving = parse_definition(custom_definition())
    # Item 3 ("able to resist") is reversed: Always (3) counts 0, Never (0) counts 3.
    assert score(craving, clean_answers(craving, numbered([0, 0, 3]))).primary.value == 0
    assert score(craving, clean_answers(craving, numbered([0, 0, 0]))).primary.value == 3
    result = score(craving, clean_answers(craving, numbered([3, 3, 0])))
    assert result.primary.value == 9
    assert result.primary.band is not None and result.primary.band.code == "high"


def test_it_scores_exactly_with_decimal_multipliers() -> None:
    data = custom_definition()
    scale = data["waymark"]["forms"][0]["scales"][0]
    scale.update(multiplier=0.1, min=0, max=0.9, bands=[])
    craving = parse_definition(data)
    result = score(craving, clean_answers(craving, numbered([2, 2, 1])))  # 2 + 2 + (3 - 1)
    assert result.primary.value == Decimal("0.6")
    assert result.as_json()["scales"][0]["value"] == 0.6


def test_it_names_each_missing_required_answer() -> None:
    phq9 = definition("phq-9")
    answers = numbered(PUBLISHED_PHQ9)
    del answers["4"], answers["9"]
    with pytest.raises(AnswerError) as caught:
        clean_answers(phq9, answers)
    assert set(caught.value.errors) == {"4", "9"}
    assert caught.value.errors["4"] == (
        "Question 4 (Feeling tired or having little energy) needs an answer."
    )
    assert "Thoughts that you would be better off dead" in caught.value.errors["9"]


def test_it_does_not_require_the_optional_phq9_question_10() -> None:
    phq9 = definition("phq-9")
    assert "10" not in clean_answers(phq9, numbered(PUBLISHED_PHQ9))


@pytest.mark.parametrize("bad", [4, -1, "3.5", "often", True])
def test_it_refuses_an_answer_outside_the_options_and_names_the_question(bad: object) -> None:
    phq9 = definition("phq-9")
    answers: dict[str, object] = {**numbered(PUBLISHED_PHQ9), "2": bad}
    with pytest.raises(AnswerError) as caught:
        clean_answers(phq9, answers)
    assert list(caught.value.errors) == ["2"]
    assert caught.value.errors["2"].startswith("Question 2 (Feeling down, depressed, or hopeless)")


def test_it_lists_the_allowed_answers_when_one_is_outside_them() -> None:
    phq9 = definition("phq-9")
    with pytest.raises(AnswerError) as caught:
        clean_answers(phq9, {**numbered(PUBLISHED_PHQ9), "1": 7})
    assert (
        "0 (Not at all), 1 (Several days), 2 (More than half the days), 3 (Nearly every day)"
        in (caught.value.errors["1"])
    )


def test_it_refuses_a_question_the_questionnaire_does_not_have() -> None:
    phq9 = definition("phq-9")
    with pytest.raises(AnswerError) as caught:
        clean_answers(phq9, {**numbered(PUBLISHED_PHQ9), "11": 1})
    assert caught.value.errors == {"11": "PHQ-9 has no question '11'."}


def test_it_keeps_bam_day_counts_between_0_and_30() -> None:
    bam = definition("bam")
    with pytest.raises(AnswerError) as caught:
        clean_answers(bam, bam_answers(q2=31))
    assert caught.value.errors["2"].endswith("give a number from 0 to 30.")


def test_it_refuses_more_heavy_drinking_days_than_drinking_days() -> None:
    bam = definition("bam")
    with pytest.raises(AnswerError) as caught:
        clean_answers(bam, bam_answers(q4=2, q5=3))
    assert "cannot be more than the days you drank" in caught.value.errors["5"]


def test_it_drops_answers_to_bam_7a_7g_when_no_drug_use_was_reported() -> None:
    bam = definition("bam")
    answers = clean_answers(bam, bam_answers(q6=0, q7a=3))
    assert "7a" not in answers
    kept = clean_answers(bam, bam_answers(q6=3, q7a=3))
    assert kept["7a"] == 3


def test_it_checks_context_answers() -> None:
    audit = definition("audit-c")
    with pytest.raises(AnswerError) as caught:
        clean_context(audit, {"sex": "robot"})
    assert "choose one of female, male, unspecified" in caught.value.errors["sex"]
    with pytest.raises(AnswerError):
        clean_context(audit, {"height": "180"})
