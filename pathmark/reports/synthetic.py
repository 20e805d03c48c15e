"""Synthetic cohorts in which every service's true effect is known, with confounding: people
who attend differ from those who do not (lower starting scores and more recent arrival make
attending more likely, and both also change how fast people progress anyway), so a plain
comparison of progress is biased and only an adjustment recovers the effect.

SYNTHETIC: no real person's data. Used by the tests of `effects.py` and by the benchmarks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .effects import Observation

# Progress without any service: people furthest below catch up fastest (towards 65), recent
# arrivals progress faster, and longer gaps between assessments show more change.
BASE_PROGRESS = 3.0
CATCH_UP = 0.25
PER_YEAR_SINCE_ARRIVAL = -0.8
PER_YEAR_BETWEEN = 4.0


@dataclass(frozen=True)
class SyntheticService:
    number: int
    true_effect: float
    observations: tuple[Observation, ...]


def synthetic_person(rng: random.Random, true_effect: float) -> Observation:
    baseline = rng.uniform(15, 85)
    years_since_arrival = rng.uniform(0, 10)
    years_between = rng.uniform(0.3, 2.0)
    # Confounding: who attends depends on what also drives progress.
    leaning = -0.5 + (55 - baseline) / 12 - 0.25 * (years_since_arrival - 5)
    attended = rng.random() < 1 / (1 + math.exp(-leaning))
    expected = (
        BASE_PROGRESS
        + CATCH_UP * (65 - baseline)
        + PER_YEAR_SINCE_ARRIVAL * years_since_arrival
        + PER_YEAR_BETWEEN * years_between
        + (true_effect if attended else 0.0)
    )
    # Noisier for people far from the middle: the errors are not constant (hence HC3).
    spread = 4 + 0.12 * abs(50 - baseline)
    change = expected + rng.gauss(0, spread)
    known_arrival = rng.random() > 0.1
    return Observation(
        attended=attended,
        baseline=baseline,
        change=change,
        years_between=years_between,
        years_since_arrival=years_since_arrival if known_arrival else None,
    )


def synthetic_cohort(
    rng: random.Random, *, services: int = 25, people: tuple[int, int] = (8, 160)
) -> list[SyntheticService]:
    """`services` services, each with a true effect between -2 and 10 points and between
    `people[0]` and `people[1]` people referred to it (so some are too few to tell)."""
    cohort = []
    for number in range(services):
        true_effect = round(rng.uniform(-2, 10), 1)
        size = rng.randint(*people)
        observations = tuple(synthetic_person(rng, true_effect) for _ in range(size))
        cohort.append(SyntheticService(number, true_effect, observations))
    return cohort
