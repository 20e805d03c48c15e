"""The caseload's batched maths gives exactly what the one-journey-at-a-time maths gives."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pathmark.instruments.registry import get_instrument
from pathmark.journeys.batched import trends_of_many
from pathmark.journeys.trajectory import HostNorm, TrendShape, trends_of

from .test_trajectory import INSTRUMENTS, START, any_score, errors, norm_values


@st.composite
def caseloads(draw):  # type: ignore[no-untyped-def]
    """One instrument version with its norms, and many people's journeys on it: most with the
    same number of readings (so they share arrays), some complete and some gappy, some with
    readings on one day, some before any norm came into force."""
    instrument = get_instrument(draw(st.sampled_from(INSTRUMENTS)))
    instrument = dataclasses.replace(instrument, measurement_error=draw(errors))
    norms = {}
    for key in ("overall", *(domain.id for domain in instrument.domains)):
        if draw(st.integers(0, 4)):
            starts = sorted(set(draw(st.lists(st.integers(-100, 2000), min_size=1, max_size=4))))
            norms[key] = [
                HostNorm(START + timedelta(days=day), draw(norm_values)) for day in starts
            ]
    shape = TrendShape.of(instrument, norms)
    journeys = []
    for _ in range(draw(st.integers(1, 12))):
        length = draw(st.sampled_from([0, 1, 2, 3, 4, 4, 4, 5, 7]))
        offsets = sorted(draw(st.lists(st.integers(0, 2000), min_size=length, max_size=length)))
        gappy = draw(st.integers(0, 3)) == 0
        score = st.one_of(st.none(), any_score) if gappy else any_score
        overall, domains = [], []
        for _offset in offsets:
            domain_scores = {}
            for domain in instrument.domains:
                if not gappy or draw(st.integers(0, 20)):
                    domain_scores[domain.id] = draw(score)
            domains.append(domain_scores)
            overall.append(draw(score))
        days = [(START + timedelta(days=offset)).toordinal() for offset in offsets]
        journeys.append((days, overall, domains))
    return shape, journeys


@settings(max_examples=300, deadline=None)
@given(caseloads())
def test_batched_trends_equal_one_journey_at_a_time(case):
    shape, journeys = case
    assert trends_of_many(shape, journeys) == [trends_of(shape, *journey) for journey in journeys]


def test_a_large_batch_equals_one_journey_at_a_time():
    """Thousands of journeys in one array, as a rebuild sends them: ties, equal dates and
    scores that change by exactly the measurement error included."""
    import random

    rng = random.Random(7)
    instrument = get_instrument("integration-journey")
    norms = {
        "overall": [HostNorm(START + timedelta(days=300), 61.0), HostNorm(START, 58.5)][::-1],
        instrument.domains[0].id: [HostNorm(START + timedelta(days=500), 70.0)],
    }
    shape = TrendShape.of(instrument, norms)
    journeys = []
    for _ in range(3000):
        length = rng.choice([1, 2, 3, 4, 4, 4, 6])
        offsets = sorted(rng.choice([0, 90, 91, 180, 400, 800, 1200]) for _ in range(length))
        days = [(START + timedelta(days=offset)).toordinal() for offset in offsets]
        overall = [rng.choice([40.0, 45.0, 50.0, 52.5]) for _ in offsets]
        domains = [
            {domain.id: rng.choice([25.0, 50.0, 62.5, 75.0]) for domain in instrument.domains}
            for _ in offsets
        ]
        journeys.append((days, overall, domains))
    assert trends_of_many(shape, journeys) == [trends_of(shape, *journey) for journey in journeys]
