"""Property tests: for any answers, every score stays in its range and bands sit where published."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.questionnaires.definition import Definition
from waymark.questionnaires.loader import builtin_keys
from waymark.questionnaires.scoring import clean_answers, is_enabled, score
from waymark.questionnaires.tests.helpers import definition

DEFINITIONS = {key: definition(key) for key in sorted(builtin_keys())}


@st.composite
def answer_sets(draw: st.DrawFn, questionnaire: Definition) -> dict[str, int]:
    """Any complete, valid set of answers (respecting enableWhen and cross-item limits)."""
    answers: dict[str, int] = {}
    for item in questionnaire.items:
        if not is_enabled(item, answers):
            continue
        if not item.required and draw(st.booleans()):
            continue
        answers[item.link_id] = draw(st.sampled_from(item.values))
    for constraint in questionnaire.scoring.constraints:
        limit = answers[constraint.not_above_item]
        answers[constraint.item] = min(answers[constraint.item], limit)
    return answers


@pytest.mark.parametrize("key", sorted(DEFINITIONS))
@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_it_keeps_every_score_in_its_range_and_one_band(key: str, data: st.DataObject) -> None:
    questionnaire = DEFINITIONS[key]
    answers = clean_answers(questionnaire, data.draw(answer_sets(questionnaire)))
    for form_id in questionnaire.form_ids:
        result = score(questionnaire, answers, form_id=form_id)
        for scale_score in result.scales:
            scale = scale_score.scale
            assert scale.min <= scale_score.value <= scale.max, (form_id, scale.id)
            if scale.bands:
                holding = [band for band in scale.bands if band.contains(scale_score.value)]
                assert holding == [scale_score.band]


@settings(max_examples=200, deadline=None, database=None)
@given(values=st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_it_totals_phq9_as_the_plain_sum_of_items_1_to_9(values: list[int]) -> None:
    phq9 = DEFINITIONS["phq-9"]
    answers = {str(i): v for i, v in enumerate(values, start=1)}
    result = score(phq9, clean_answers(phq9, answers))
    assert result.primary.value == sum(values)
    assert bool(result.safety) is (values[8] > 0)


@settings(max_examples=200, deadline=None, database=None)
@given(values=st.lists(st.integers(0, 5), min_size=5, max_size=5))
def test_it_scores_who5_as_raw_times_four_never_raw_minus_five(values: list[int]) -> None:
    who5 = DEFINITIONS["who-5"]
    result = score(who5, clean_answers(who5, {str(i): v for i, v in enumerate(values, 1)}))
    assert result.primary.value == sum(values) * 4
    assert (result.offers == ("phq-9",)) is (sum(values) * 4 <= 28)


def both_ends(*bands: tuple[int, int, str]) -> list[tuple[int, str]]:
    """(score, band code) at the lowest and the highest score of each (low, high, code)."""
    return [(end, code) for low, high, code in bands for end in (low, high)]


PUBLISHED_BANDS = {
    # key: [(score, band code)] at every published boundary, both sides.
    "phq-9": both_ends(
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 19, "moderately_severe"),
        (20, 27, "severe"),
    ),
    "gad-7": both_ends((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")),
    "who-5": both_ends((0, 28, "very_low"), (32, 48, "poor"), (52, 100, "adequate")),
}


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [(key, value, code) for key, cases in PUBLISHED_BANDS.items() for value, code in cases],
)
def test_it_puts_each_band_boundary_where_published(key: str, value: int, code: str) -> None:
    scale = DEFINITIONS[key].form().primary_scale
    band = scale.band_for(Decimal(value))
    assert band is not None and band.code == code


@pytest.mark.parametrize("key", ["phq-9", "gad-7"])
@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_it_bands_every_reachable_total_by_the_published_cut_points(
    key: str, data: st.DataObject
) -> None:
    questionnaire = DEFINITIONS[key]
    answers = clean_answers(questionnaire, data.draw(answer_sets(questionnaire)))
    result = score(questionnaire, answers).primary
    codes = ["minimal", "mild", "moderate", "moderately_severe", "severe"]
    if key == "gad-7":
        codes = ["minimal", "mild", "moderate", "severe"]
    expected = codes[sum(result.value >= cut for cut in (5, 10, 15, 20)[: len(codes) - 1])]
    assert result.band is not None and result.band.code == expected


@settings(max_examples=200, deadline=None, database=None)
@given(
    values=st.lists(st.integers(0, 4), min_size=3, max_size=3),
    sex=st.sampled_from(["female", "male", "unspecified", None]),
)
def test_it_flags_audit_c_at_4_for_men_and_3_otherwise(values: list[int], sex: str | None) -> None:
    audit = DEFINITIONS["audit-c"]
    answers = clean_answers(audit, {str(i): v for i, v in enumerate(values, 1)})
    result = score(audit, answers, context={"sex": sex} if sex else {}).primary
    cut = 4 if sex == "male" else 3
    # A non-drinker (question 1 "Never") skips questions 2 and 3: they score 0.
    total = sum(values) if values[0] > 0 else 0
    assert result.value == total
    assert bool(result.flags) is (total >= cut)
