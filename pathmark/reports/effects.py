"""What works: the estimated effect of attending a service on the domain it addresses, with an
honest 95 % interval, or "too few people to tell".

People referred to a service who attended are compared with people who did not (referred but
did not attend, or similar people not referred), by regression adjustment: ordinary least
squares of each person's progress (latest minus starting score in the domain) on attending,
adjusted for the starting score, the years since arrival and the years between the two
assessments, with HC3 heteroskedasticity-robust standard errors and t intervals (statsmodels).
Why this model and not another, and what it cannot see, is in docs/what-works.md.

No database here: observations come in, the effect goes out.
"""

from __future__ import annotations

import enum
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

MINIMUM_PER_GROUP = 10
"""Below this many people who attended, or who did not, an estimate is not shown."""

UNIT = "points"
"""Effects are in score points (0-100) of the domain."""


class Status(enum.StrEnum):
    ESTIMATED = "estimated"
    TOO_FEW = "too_few"
    """Too few people to tell: below the minimum in either group, or the data cannot separate
    attending from the adjustments (everyone who attended arrived the same year, say)."""


@dataclass(frozen=True)
class Observation:
    """One person's two assessments around a referral, for one domain."""

    attended: bool
    baseline: float
    """The score in the domain at the assessment before the referral (0-100)."""
    change: float
    """The latest score minus the baseline."""
    years_between: float
    years_since_arrival: float | None
    """At the baseline; None when the date of arrival is not known."""


@dataclass(frozen=True)
class Effect:
    status: Status
    attended: int
    compared: int
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    standard_error: float | None = None
    confidence: float = 0.95
    unit: str = UNIT

    @property
    def people(self) -> int:
        return self.attended + self.compared

    def holds(self, value: float) -> bool:
        """Whether the interval contains `value` (False without an estimate)."""
        return self.low is not None and self.high is not None and self.low <= value <= self.high


def estimate_effect(
    observations: Sequence[Observation],
    *,
    minimum_per_group: int = MINIMUM_PER_GROUP,
    confidence: float = 0.95,
) -> Effect:
    attended = sum(1 for o in observations if o.attended)
    compared = len(observations) - attended
    too_few = Effect(Status.TOO_FEW, attended, compared, confidence=confidence)
    if attended < minimum_per_group or compared < minimum_per_group:
        return too_few
    outcome = np.array([o.change for o in observations], dtype=float)
    design = _design(observations)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return too_few
    with warnings.catch_warnings():
        # HC3 with a point of leverage 1 divides by zero; such data gives no honest interval.
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.OLS(outcome, design).fit(cov_type="HC3", use_t=True)
        low, high = fit.conf_int(alpha=1 - confidence)[1]
    estimate = float(fit.params[1])
    standard_error = float(fit.bse[1])
    if not all(math.isfinite(v) for v in (estimate, standard_error, low, high)):
        return too_few
    return Effect(
        Status.ESTIMATED,
        attended,
        compared,
        estimate=estimate,
        low=float(low),
        high=float(high),
        standard_error=standard_error,
        confidence=confidence,
    )


def _design(observations: Sequence[Observation]) -> np.ndarray:
    """Columns: constant, attended, baseline, years between, years since arrival (unknown ones
    set to the mean of the known, with an indicator), leaving out any column that does not
    vary (it would only repeat the constant)."""
    known = [o.years_since_arrival for o in observations if o.years_since_arrival is not None]
    mean_arrival = sum(known) / len(known) if known else 0.0
    columns = [
        [1.0 if o.attended else 0.0 for o in observations],
        [o.baseline for o in observations],
        [o.years_between for o in observations],
        [
            o.years_since_arrival if o.years_since_arrival is not None else mean_arrival
            for o in observations
        ],
        [1.0 if o.years_since_arrival is None else 0.0 for o in observations],
    ]
    kept = [columns[0]] + [column for column in columns[1:] if len(set(column)) > 1]
    return np.column_stack([np.ones(len(observations)), *[np.array(c) for c in kept]])


def naive_difference(observations: Sequence[Observation]) -> float | None:
    """Mean progress of those who attended minus that of the others, unadjusted: what the
    adjustment corrects (shown in tests and the docs, never as a result)."""
    treated = [o.change for o in observations if o.attended]
    others = [o.change for o in observations if not o.attended]
    if not treated or not others:
        return None
    return sum(treated) / len(treated) - sum(others) / len(others)
