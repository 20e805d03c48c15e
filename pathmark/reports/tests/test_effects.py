"""The what-works estimator on synthetic cohorts whose true effects are known and whose
attendance is confounded: its 95 % intervals must hold the truth for at least 90 % of the
services with enough people, over repeated cohorts, where the unadjusted comparison fails."""

from __future__ import annotations

import random

from pathmark.reports.effects import (
    MINIMUM_PER_GROUP,
    Observation,
    Status,
    estimate_effect,
    naive_difference,
)
from pathmark.reports.synthetic import synthetic_cohort, synthetic_person

COHORTS = 8


def test_intervals_hold_the_true_effect_in_at_least_90_percent_of_services_with_enough_people():
    held = estimated = too_few = 0
    for seed in range(COHORTS):
        for service in synthetic_cohort(random.Random(seed)):
            effect = estimate_effect(service.observations)
            if effect.status is Status.TOO_FEW:
                too_few += 1
                continue
            estimated += 1
            held += effect.holds(service.true_effect)
    assert estimated >= 120, f"only {estimated} services had enough people"
    assert too_few > 0, "the cohorts should include services with too few people"
    assert held / estimated >= 0.90, f"{held} of {estimated} intervals held the true effect"


def test_the_unadjusted_comparison_is_biased_by_who_attends():
    """Without this the coverage test would prove nothing about the adjustment."""
    rng = random.Random(99)
    people = [synthetic_person(rng, true_effect=0.0) for _ in range(4000)]
    assert naive_difference(people) > 3  # attendees started lower and catch up anyway
    effect = estimate_effect(people)
    assert effect.holds(0.0)
    assert effect.high is not None and effect.low is not None
    assert effect.high - effect.low < 2


def test_too_few_people_to_tell_below_the_minimum_in_either_group():
    rng = random.Random(5)
    people = [synthetic_person(rng, 5.0) for _ in range(200)]
    attended = [p for p in people if p.attended][: MINIMUM_PER_GROUP - 1]
    others = [p for p in people if not p.attended]
    effect = estimate_effect(attended + others)
    assert effect.status is Status.TOO_FEW
    assert effect.estimate is None and effect.low is None
    assert (effect.attended, effect.compared) == (MINIMUM_PER_GROUP - 1, len(others))


def test_too_few_to_tell_when_attending_cannot_be_told_from_the_starting_score():
    """Everyone below 50 attended and nobody above: no comparison of like with like."""
    people = [
        Observation(
            attended=baseline < 50,
            baseline=float(baseline),
            change=1.0,
            years_between=1.0,
            years_since_arrival=2.0,
        )
        for baseline in range(20, 80, 2)
    ]
    effect = estimate_effect(people, minimum_per_group=5)
    # The baseline still varies within each group, so the model is identified; the interval
    # must then be honest about how little the data says.
    assert effect.status is Status.TOO_FEW or (
        effect.low is not None and effect.high is not None and effect.holds(0.0)
    )


def test_a_constant_covariate_is_left_out_rather_than_breaking_the_model():
    rng = random.Random(3)
    people = [
        Observation(
            attended=i % 2 == 0,
            baseline=rng.uniform(20, 80),
            change=(4.0 if i % 2 == 0 else 0.0) + rng.gauss(0, 1),
            years_between=1.0,
            years_since_arrival=None,
        )
        for i in range(60)
    ]
    effect = estimate_effect(people)
    assert effect.status is Status.ESTIMATED
    assert effect.holds(4.0)
