"""Kaplan–Meier survival and the log-rank test, in a few pure functions.

Waymark's own, rather than lifelines (which brings pandas, numpy and scipy for two
formulas); checked in tests/test_survival.py against the published analysis of the
Freireich et al. (1963) 6-MP / placebo remission data (Gehan 1965; Kleinbaum & Klein,
*Survival Analysis: A Self-Learning Text*, 3rd ed., 2012, ch. 2; R `survival`/`MASS`
`gehan` data).

- Kaplan–Meier: S(t) = Π (1 − d_i / n_i) over event times t_i ≤ t (Kaplan & Meier 1958).
  Censored at a time t: still at risk at t (events before censorings at equal times).
- Confidence band: Greenwood's variance (Greenwood 1926) on the log(−log S) scale, the
  "log-log" interval (Kalbfleisch & Prentice 1980; R `survfit(conf.type = "log-log")`),
  which stays within 0–1.
- Log-rank (Mantel 1966; Peto & Peto 1972): Σ (O − E)² / V over the first group, with the
  hypergeometric variance, compared with χ² on 1 degree of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Step:
    """The curve at one event time: who was at risk, what happened, and S(t) with its band."""

    time: int
    at_risk: int
    events: int
    censored: int
    survival: float
    lower: float
    upper: float

    def band(self) -> tuple[float, float, float]:
        """S(t), then its 95 % band's lower and upper ends."""
        return self.survival, self.lower, self.upper


def _tally(pairs: Iterable[tuple[int, bool]]) -> dict[int, tuple[int, int]]:
    """{time: (events, censored)} for (time, event) pairs."""
    counts: dict[int, tuple[int, int]] = {}
    for time, event in pairs:
        events, censored = counts.get(time, (0, 0))
        counts[time] = (events + 1, censored) if event else (events, censored + 1)
    return counts


def kaplan_meier(pairs: Iterable[tuple[int, bool]]) -> list[Step]:
    """One Step per distinct time with an event or a censoring, in time order."""
    counts = _tally(pairs)
    at_risk = sum(events + censored for events, censored in counts.values())
    survival, greenwood = 1.0, 0.0
    steps: list[Step] = []
    for time in sorted(counts):
        events, censored = counts[time]
        if events:
            survival *= 1 - events / at_risk
            if at_risk > events:
                greenwood += events / (at_risk * (at_risk - events))
        lower, upper = _log_log_band(survival, greenwood)
        steps.append(Step(time, at_risk, events, censored, survival, lower, upper))
        at_risk -= events + censored
    return steps


def _log_log_band(survival: float, greenwood: float) -> tuple[float, float]:
    """The 95 % log-log interval of S from Greenwood's sum Σ d / (n (n − d))."""
    if survival <= 0.0:
        return 0.0, 0.0
    if survival >= 1.0 or greenwood == 0.0:
        return survival, survival
    spread = Z_95 * math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(spread), survival ** math.exp(-spread)


@dataclass(frozen=True)
class LogRank:
    observed: tuple[int, int]
    expected: tuple[float, float]
    chi_square: float
    p_value: float


def log_rank(first: Iterable[tuple[int, bool]], second: Iterable[tuple[int, bool]]) -> LogRank:
    """The two-group log-rank test of equal survival."""
    one, two = _tally(first), _tally(second)
    at_risk_one = sum(e + c for e, c in one.values())
    at_risk_two = sum(e + c for e, c in two.values())
    observed_one = observed_two = 0
    expected_one = variance = 0.0
    for time in sorted(one.keys() | two.keys()):
        events_one, censored_one = one.get(time, (0, 0))
        events_two, censored_two = two.get(time, (0, 0))
        events, at_risk = events_one + events_two, at_risk_one + at_risk_two
        if events and at_risk:
            expected_one += events * at_risk_one / at_risk
            if at_risk > 1:
                variance += (
                    events * (at_risk_one / at_risk) * (at_risk_two / at_risk)
                    * (at_risk - events) / (at_risk - 1)
                )  # fmt: skip
        observed_one += events_one
        observed_two += events_two
        at_risk_one -= events_one + censored_one
        at_risk_two -= events_two + censored_two
    total = observed_one + observed_two
    chi_square = (observed_one - expected_one) ** 2 / variance if variance else 0.0
    return LogRank(
        observed=(observed_one, observed_two),
        expected=(expected_one, total - expected_one),
        chi_square=chi_square,
        p_value=math.erfc(math.sqrt(chi_square / 2)),  # χ² with 1 df
    )


def median_time(steps: list[Step]) -> int | None:
    """The first time S(t) falls to 0.5 or below; None while it has not."""
    return next((step.time for step in steps if step.survival <= 0.5), None)
