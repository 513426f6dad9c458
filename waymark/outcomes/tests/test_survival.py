"""The Kaplan–Meier estimator and log-rank test against a published analysis.

Data: Freireich et al. (1963), Blood 21:699–716, remission times in weeks of 42 children
with acute leukaemia, 21 on 6-mercaptopurine (6-MP) and 21 on placebo, as tabulated by
Gehan (1965), Biometrika 52:203–223 (R: `MASS::gehan`). A "+" (here event False) is a
remission still going on when follow-up ended (censored).

Expected numbers: Kleinbaum & Klein, *Survival Analysis: A Self-Learning Text*, 3rd ed.
(Springer 2012), chapter 2 (KM tables for both groups; log-rank χ² = 16.79, p < 0.0001;
O/E 9 / 19.25 and 21 / 10.75); the same as R
`survdiff(Surv(time, cens) ~ treat, data = gehan)` (Chisq = 16.8 on 1 df, p = 4e-05).
The 95 % log-log band at week 6 of the 6-MP group is R's
`survfit(Surv(time, cens) ~ treat, data = gehan, conf.type = "log-log")`: 0.620–0.952
(std. err. 0.0764).
"""

from __future__ import annotations

import pytest

from waymark.outcomes.survival import kaplan_meier, log_rank, median_time

SIX_MP = [
    (6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True),
    (10, False), (11, False), (13, True), (16, True), (17, False), (19, False), (20, False),
    (22, True), (23, True), (25, False), (32, False), (32, False), (34, False), (35, False),
]  # fmt: skip
PLACEBO = [
    (time, True) for time in (1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23)
]

# Kleinbaum & Klein, ch. 2: the KM estimate after each event time.
SIX_MP_KM = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}
PLACEBO_KM = {
    1: 0.905, 2: 0.810, 3: 0.762, 4: 0.667, 5: 0.571, 8: 0.381, 11: 0.286, 12: 0.190,
    15: 0.143, 17: 0.095, 22: 0.048, 23: 0.000,
}  # fmt: skip


@pytest.mark.parametrize(("pairs", "published"), [(SIX_MP, SIX_MP_KM), (PLACEBO, PLACEBO_KM)])
def test_it_matches_the_published_kaplan_meier_estimates(
    pairs: list[tuple[int, bool]], published: dict[int, float]
) -> None:
    steps = {step.time: step for step in kaplan_meier(pairs)}

    assert {time: round(steps[time].survival, 3) for time in published} == published


def test_it_counts_the_people_at_risk_with_censoring_after_events_at_the_same_time() -> None:
    steps = {step.time: step for step in kaplan_meier(SIX_MP)}

    assert (steps[6].at_risk, steps[6].events, steps[6].censored) == (21, 3, 1)
    assert (steps[7].at_risk, steps[10].at_risk, steps[13].at_risk) == (17, 15, 12)
    # A censoring alone does not move the curve.
    assert steps[9].survival == steps[7].survival


def test_it_gives_the_published_log_log_band() -> None:
    week_six = kaplan_meier(SIX_MP)[0]

    assert (round(week_six.lower, 3), round(week_six.upper, 3)) == (0.620, 0.952)
    assert all(0 <= step.lower <= step.survival <= step.upper <= 1 for step in kaplan_meier(SIX_MP))


def test_it_matches_the_published_log_rank_test() -> None:
    result = log_rank(SIX_MP, PLACEBO)

    assert result.observed == (9, 21)
    assert (round(result.expected[0], 2), round(result.expected[1], 2)) == (19.25, 10.75)
    assert round(result.chi_square, 2) == 16.79
    assert result.p_value == pytest.approx(4.17e-5, rel=0.01)
    assert log_rank(PLACEBO, SIX_MP).chi_square == pytest.approx(result.chi_square)


def test_it_gives_the_published_medians() -> None:
    # Kleinbaum & Klein: median remission 23 weeks on 6-MP, 8 weeks on placebo.
    assert (median_time(kaplan_meier(SIX_MP)), median_time(kaplan_meier(PLACEBO))) == (23, 8)


def test_it_handles_no_data_and_no_events() -> None:
    assert kaplan_meier([]) == []
    assert [step.survival for step in kaplan_meier([(3, False), (5, False)])] == [1.0, 1.0]
    assert log_rank([(3, False)], [(4, False)]).chi_square == 0.0
    assert median_time(kaplan_meier([(3, False)])) is None
