"""The journey maths, checked against an independent computation (scipy's Theil–Sen, numpy's
least-squares line for two points) and by properties that must hold for any scores."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import theilslopes

from pathmark.instruments.registry import get_instrument
from pathmark.journeys.caseload import (
    QUARTILES,
    quartiles_of,
)
from pathmark.journeys.trajectory import (
    Convergence,
    Direction,
    GapStory,
    HostNorm,
    Method,
    Reading,
    ScoredAssessment,
    Steadiness,
    TrendShape,
    journey_of,
    norm_in_force,
    overall_stage,
    rate_per_year,
    series_of,
    trends_of,
    years_between,
)

START = date(2024, 1, 15)
scores = st.floats(min_value=0, max_value=100, allow_nan=False)
day_offsets = st.lists(
    st.integers(min_value=0, max_value=3650), min_size=1, max_size=12, unique=True
)


def readings_from(offsets: list[int], values: list[float]) -> list[Reading]:
    pairs = sorted(zip(offsets, values, strict=False))
    return [Reading(START + timedelta(days=offset), value) for offset, value in pairs]


@st.composite
def series_readings(draw, min_size: int = 1) -> list[Reading]:  # type: ignore[no-untyped-def]
    offsets = draw(day_offsets.filter(lambda o: len(o) >= min_size))
    values = draw(st.lists(scores, min_size=len(offsets), max_size=len(offsets)))
    return readings_from(offsets, values)


def test_one_reading_is_not_enough_data():
    rate, method = rate_per_year([Reading(START, 40)])
    assert rate is None
    assert method == Method.NOT_ENOUGH_DATA
    assert series_of("x", [Reading(START, 40)]).direction == Direction.NOT_ENOUGH_DATA


def test_two_readings_give_the_two_point_slope_in_points_a_year():
    later = START + timedelta(days=730)
    rate, method = rate_per_year([Reading(START, 30), Reading(later, 54)])
    assert method == Method.TWO_POINT
    expected = numpy.polyfit([0, years_between(START, later)], [30, 54], 1)[0]
    assert rate == pytest.approx(expected)


def test_three_readings_use_theil_sen():
    readings = [Reading(START, 20), Reading(date(2024, 7, 1), 60), Reading(date(2025, 3, 1), 35)]
    rate, method = rate_per_year(readings)
    assert method == Method.THEIL_SEN
    xs = [years_between(START, r.assessed_on) for r in readings]
    assert rate == pytest.approx(theilslopes([r.score for r in readings], xs).slope)


def test_one_odd_reading_does_not_swing_the_rate():
    steady = [Reading(START + timedelta(days=182 * i), 30 + 5 * i) for i in range(6)]
    odd = steady[:3] + [Reading(steady[3].assessed_on, 0)] + steady[4:]
    assert rate_per_year(odd)[0] == pytest.approx(rate_per_year(steady)[0])


@settings(max_examples=200, deadline=None)
@given(series_readings(min_size=3))
def test_rate_matches_scipy_theilslopes(readings):
    rate, _ = rate_per_year(readings)
    xs = [years_between(START, r.assessed_on) for r in readings]
    assert rate == pytest.approx(theilslopes([r.score for r in readings], xs).slope, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(series_readings(min_size=2), st.floats(min_value=-100, max_value=100))
def test_adding_a_constant_to_every_score_leaves_the_rate_unchanged(readings, constant):
    shifted = [Reading(r.assessed_on, r.score + constant) for r in readings]
    assert rate_per_year(shifted)[0] == pytest.approx(rate_per_year(readings)[0], abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(series_readings(min_size=2))
def test_reversing_time_negates_the_rate(readings):
    last = readings[-1].assessed_on
    mirrored = sorted(
        (Reading(last - (r.assessed_on - START), r.score) for r in readings),
        key=lambda r: r.assessed_on,
    )
    assert rate_per_year(mirrored)[0] == pytest.approx(-rate_per_year(readings)[0], abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(series_readings(min_size=2), st.floats(min_value=-30, max_value=30), st.integers(0, 3650))
def test_a_norm_shift_changes_the_gap_and_not_the_persons_progress(readings, shift, shift_day):
    before = [HostNorm(date(2000, 1, 1), 60.0)]
    shifted_on = START + timedelta(days=shift_day)
    after = before + [HostNorm(shifted_on, 60.0 + shift)]
    plain = series_of("x", readings, norms=before)
    moved = series_of("x", readings, norms=after)
    assert moved.progress == plain.progress
    for point_plain, point_moved in zip(plain.points, moved.points, strict=True):
        assert point_moved.score == point_plain.score
        expected_change = shift if point_plain.assessed_on >= shifted_on else 0.0
        assert point_moved.gap_to_host_norm == pytest.approx(
            point_plain.gap_to_host_norm + expected_change
        )


# --- Integratedness relative to a moving host (the "done when") -----------------------

norm_values = st.floats(min_value=20, max_value=90, allow_nan=False)


@st.composite
def moving_norms(draw, readings):  # type: ignore[no-untyped-def]
    """Dated norm versions from before the first reading, some changing between readings."""
    first = readings[0].assessed_on
    span = (readings[-1].assessed_on - first).days
    offsets = sorted(set(draw(st.lists(st.integers(1, max(span, 1)), max_size=5))))
    dates = [first - timedelta(days=30)] + [first + timedelta(days=o) for o in offsets]
    return [HostNorm(on, draw(norm_values)) for on in dates]


@settings(max_examples=300, deadline=None)
@given(st.data(), day_offsets.filter(lambda o: len(o) >= 2), scores)
def test_a_host_shift_with_the_person_standing_still_is_minus_the_shift(data, offsets, score):
    readings = readings_from(offsets, [score] * len(offsets))
    norms = data.draw(moving_norms(readings))
    series = series_of("x", readings, norms=norms, measurement_error=5)
    assert series.progress_per_year == 0
    assert series.host_shift_per_year is not None
    assert series.integratedness_per_year == pytest.approx(-series.host_shift_per_year, abs=1e-9)
    assert series.integratedness.method == series.host_shift.method == series.progress.method


@settings(max_examples=300, deadline=None)
@given(st.data(), day_offsets.filter(lambda o: len(o) >= 2), st.floats(-15, 15))
def test_a_person_tracking_a_moving_norm_has_integratedness_zero(data, offsets, distance):
    dates = [START + timedelta(days=offset) for offset in sorted(offsets)]
    norms = data.draw(moving_norms([Reading(on, 0) for on in dates]))
    readings = [
        Reading(on, norm.value + distance)  # type: ignore[union-attr]
        for on in dates
        for norm in [norm_in_force(norms, on)]
    ]
    series = series_of("x", readings, norms=norms, measurement_error=5)
    assert series.integratedness_per_year == pytest.approx(0, abs=1e-9)
    assert series.direction == Direction.NO_CLEAR_CHANGE
    assert series.progress_per_year == pytest.approx(series.host_shift_per_year, abs=1e-9)


@settings(max_examples=500, deadline=None)
@given(st.data(), series_readings(min_size=1))
def test_shares_of_the_gap_never_leave_their_range(data, readings):
    series = series_of("x", readings, norms=data.draw(moving_norms(readings)))
    share = series.share_of_gap_closed
    assert share is None or -1 <= share <= 1
    assert (share is None) == (series.gap.story != GapStory.SHARE_CLOSED)
    for point in series.points:
        assert point.points_below_host_norm is None or point.points_below_host_norm >= 0
        if point.host_norm is not None and point.score >= point.host_norm.value:
            assert point.points_below_host_norm == 0


@settings(max_examples=300, deadline=None)
@given(st.data(), series_readings(min_size=1))
def test_every_figure_that_needs_a_rate_says_so_together(data, readings):
    series = series_of("x", readings, norms=data.draw(moving_norms(readings)))
    if series.integratedness.method == Method.NOT_ENOUGH_DATA:
        assert series.gap.story == GapStory.NOT_ENOUGH_DATA
        assert series.stability.steadiness == Steadiness.NOT_ENOUGH_DATA
        assert series.projection.state in (Convergence.NOT_ENOUGH_DATA, Convergence.REACHED)
    else:
        assert series.projection.state != Convergence.NOT_ENOUGH_DATA


def test_the_gap_closing_only_through_the_host_is_not_the_persons_progress():
    """The issue's Housing row: all of the closing came from the norm falling from 72 to 66."""
    norms = [HostNorm(date(2019, 1, 1), 72), HostNorm(date(2024, 6, 1), 66)]
    readings = [Reading(date(2024, 1, 1), 50), Reading(date(2025, 1, 1), 50)]
    series = series_of("x", readings, norms=norms, measurement_error=5)
    assert series.progress_per_year == 0
    assert series.progress.direction == Direction.NO_CLEAR_CHANGE
    assert series.host_shift_per_year == pytest.approx(
        -6 / years_between(*[r.assessed_on for r in readings])
    )
    assert series.integratedness_per_year == pytest.approx(-series.host_shift_per_year)
    assert series.direction == Direction.IMPROVING


def test_a_gap_that_grew_more_than_twice_is_told_in_words():
    norms = [HostNorm(date(2019, 1, 1), 60)]
    readings = [Reading(date(2024, 1, 1), 59), Reading(date(2025, 1, 1), 48)]
    series = series_of("x", readings, norms=norms)
    assert series.share_of_gap_closed is None
    assert series.gap.story == GapStory.MORE_THAN_DOUBLED


def test_crossing_the_norm_is_told_in_words():
    norms = [HostNorm(date(2019, 1, 1), 60)]
    above_then_below = [Reading(date(2024, 1, 1), 64), Reading(date(2025, 1, 1), 50)]
    below_then_above = [Reading(date(2024, 1, 1), 50), Reading(date(2025, 1, 1), 64)]
    assert series_of("x", above_then_below, norms=norms).gap.story == GapStory.NOW_BELOW
    assert series_of("x", below_then_above, norms=norms).gap.story == GapStory.NOW_AT_OR_ABOVE


def test_stability_measures_how_far_readings_stray_from_the_trend():
    norms = [HostNorm(date(2019, 1, 1), 60)]
    steady = [Reading(START + timedelta(days=182 * i), 30 + 2 * i) for i in range(5)]
    swinging = [
        Reading(START + timedelta(days=182 * i), 30 + (30 if i % 2 else 0)) for i in range(5)
    ]
    calm = series_of("x", steady, norms=norms, measurement_error=5).stability
    wild = series_of("x", swinging, norms=norms, measurement_error=5).stability
    assert calm.steadiness == Steadiness.STEADY
    assert calm.straying == pytest.approx(0, abs=1e-9)
    assert wild.steadiness == Steadiness.UNSETTLED
    assert wild.straying > 10


def test_a_change_within_the_measurement_error_is_no_clear_change():
    readings = [Reading(START, 50), Reading(START + timedelta(days=365), 54)]
    assert series_of("x", readings, measurement_error=5).direction == Direction.NO_CLEAR_CHANGE
    assert series_of("x", readings, measurement_error=3).direction == Direction.IMPROVING


def test_distance_travelled_is_latest_minus_first():
    readings = [Reading(START, 50), Reading(date(2024, 6, 1), 70), Reading(date(2025, 1, 1), 44)]
    assert series_of("x", readings).distance_travelled == pytest.approx(-6)


def test_gap_uses_the_norm_in_force_on_each_date():
    norms = [HostNorm(date(2019, 1, 1), 70), HostNorm(date(2020, 3, 23), 58)]
    readings = [Reading(date(2020, 1, 1), 50), Reading(date(2020, 6, 1), 50)]
    series = series_of("x", readings, norms=norms)
    assert [p.gap_to_host_norm for p in series.points] == [20, 8]
    assert series.progress_per_year == 0
    assert series.integratedness_per_year > 0
    assert [norm.valid_from for norm in series.norm_changes] == [date(2020, 3, 23)]


def test_share_of_gap_closed():
    norms = [HostNorm(date(2019, 1, 1), 70)]
    readings = [Reading(date(2024, 1, 1), 30), Reading(date(2025, 1, 1), 50)]
    assert series_of("x", readings, norms=norms).share_of_gap_closed == pytest.approx(0.5)


def test_projection_reaches_the_current_norm_at_the_current_rate():
    norms = [HostNorm(date(2019, 1, 1), 70)]
    readings = [Reading(date(2024, 1, 1), 30), Reading(date(2025, 1, 1), 50)]
    projection = series_of("x", readings, norms=norms, measurement_error=5).projection
    assert projection.state == Convergence.CONVERGING
    assert projection.years == pytest.approx(
        20 / (20 / years_between(date(2024, 1, 1), date(2025, 1, 1)))
    )
    assert date(2025, 12, 1) < projection.reaches_on < date(2026, 2, 1)


def test_projection_is_not_converging_when_declining_or_flat():
    norms = [HostNorm(date(2019, 1, 1), 70)]
    declining = [Reading(date(2024, 1, 1), 50), Reading(date(2025, 1, 1), 30)]
    flat = [Reading(date(2024, 1, 1), 50), Reading(date(2025, 1, 1), 51)]
    assert series_of("x", declining, norms=norms).projection.state == Convergence.NOT_CONVERGING
    assert (
        series_of("x", flat, norms=norms, measurement_error=5).projection.state
        == Convergence.NOT_CONVERGING
    )


def test_projection_says_reached_at_or_above_the_norm():
    norms = [HostNorm(date(2019, 1, 1), 60)]
    readings = [Reading(date(2024, 1, 1), 50), Reading(date(2025, 1, 1), 65)]
    assert series_of("x", readings, norms=norms).projection.state == Convergence.REACHED


def test_turned_down_needs_a_fall_of_at_least_the_error_between_the_last_two():
    rising_then_falling = [
        Reading(date(2024, 1, 1), 30),
        Reading(date(2024, 6, 1), 60),
        Reading(date(2025, 1, 1), 50),
    ]
    assert series_of("x", rising_then_falling, measurement_error=5).turned_down
    assert not series_of("x", rising_then_falling, measurement_error=12).turned_down


def journey_falling(overall: float, **domains: float):  # type: ignore[no-untyped-def]
    """A journey on the integration journey instrument (measurement error 5) from 60 in
    everything to `overall` overall and the given domain scores (others stay at 60)."""
    instrument = get_instrument("integration-journey")
    before = {domain.id: 60.0 for domain in instrument.domains}
    after = {**before, **{key.replace("_", "-"): value for key, value in domains.items()}}
    return journey_of(
        instrument,
        [
            ScoredAssessment(date(2024, 1, 1), before, 60.0),
            ScoredAssessment(date(2025, 1, 1), after, overall),
        ],
    )


def test_a_journey_turned_down_when_the_overall_fell_by_the_error():
    assert journey_falling(55.0).turned_down
    assert not journey_falling(55.5).turned_down


def test_one_domain_falling_alone_does_not_turn_a_journey_down():
    journey = journey_falling(60.0, economic_stability=20.0)
    assert journey.series("economic-stability").turned_down
    assert not journey.turned_down


def test_two_domains_falling_turn_a_journey_down():
    assert journey_falling(60.0, economic_stability=55.0, social_networks=50.0).turned_down
    assert not journey_falling(60.0, economic_stability=55.5, social_networks=50.0).turned_down


def test_stages_and_transitions_follow_the_instrument_bands():
    instrument = get_instrument("integration-journey")
    readings = [
        Reading(date(2024, 1, 1), 15),
        Reading(date(2024, 6, 1), 45),
        Reading(date(2025, 1, 1), 35),
    ]
    series = series_of("x", readings, stages=instrument.stages)
    assert [p.stage for p in series.points] == ["urgent-need", "building-skills", "getting-support"]
    assert [(t.from_stage, t.to_stage, t.upward) for t in series.transitions] == [
        ("urgent-need", "building-skills", True),
        ("building-skills", "getting-support", False),
    ]


def test_overall_stage_is_capped_by_foundation_domains():
    instrument = get_instrument("indicators-of-integration")
    assert instrument.overall_stage_rule.capped_by == ("housing", "safety")
    assert overall_stage(instrument, 85, {"housing": 10, "safety": 90}) == "urgent-need"
    assert overall_stage(instrument, 85, {"housing": 90, "safety": 90}) == "thriving"


def test_overall_stage_is_not_capped_without_a_rule():
    instrument = get_instrument("integration-journey")
    assert overall_stage(instrument, 85, {"economic-stability": 10}) == "thriving"


def test_journey_skips_domains_left_unscored_on_a_date():
    instrument = get_instrument("integration-journey")
    assessments = [
        ScoredAssessment(date(2024, 1, 1), {"economic-stability": 30}, 40),
        ScoredAssessment(date(2025, 1, 1), {"economic-stability": None}, 50),
    ]
    journey = journey_of(instrument, assessments)
    economic = journey.series("economic-stability")
    assert len(economic.points) == 1
    assert economic.direction == Direction.NOT_ENOUGH_DATA
    assert journey.overall.integratedness_per_year == pytest.approx(
        10 / years_between(date(2024, 1, 1), date(2025, 1, 1))
    )


# --- The caseload's lean path agrees with the person page's full one ----------------------------

INSTRUMENTS = ("integration-journey", "indicators-of-integration")
# Steps of five points as well as any float, so that a change exactly equal to the
# measurement error comes up.
any_score = st.one_of(
    scores, st.integers(8, 12).map(lambda step: step * 5.0), scores.map(lambda s: round(s, 1))
)
errors = st.one_of(st.none(), st.sampled_from([0.0, 5.0, 8.0]), st.floats(0, 20))


@st.composite
def journeys(draw):  # type: ignore[no-untyped-def]
    """An instrument and a person's assessments in date order, some on the same day. Half the
    journeys are complete (every score at every date, the cohort's usual case); in the rest a
    score may be missing, or a domain's key left out altogether."""
    instrument = get_instrument(draw(st.sampled_from(INSTRUMENTS)))
    instrument = dataclasses.replace(instrument, measurement_error=draw(errors))
    offsets = sorted(draw(st.lists(st.integers(0, 2000), min_size=1, max_size=8)))
    gappy = draw(st.booleans())
    score = st.one_of(st.none(), any_score) if gappy else any_score
    assessments = []
    for offset in offsets:
        domain_scores = {}
        for domain in instrument.domains:
            if not gappy or draw(st.integers(0, 20)):
                domain_scores[domain.id] = draw(score)
        assessments.append(
            ScoredAssessment(START + timedelta(days=offset), domain_scores, draw(score))
        )
    norms = {}
    for key in ("overall", *(domain.id for domain in instrument.domains)):
        if draw(st.integers(0, 4)):  # most series have norms, some none
            starts = sorted(set(draw(st.lists(st.integers(-100, 2000), min_size=1, max_size=4))))
            norms[key] = [
                HostNorm(START + timedelta(days=day), draw(norm_values)) for day in starts
            ]
    return instrument, assessments, norms


def _relative_step(series):  # type: ignore[no-untyped-def]
    """The change between the last two readings relative to the norm (on the raw scores where
    no reading has a norm in force)."""
    if not series.has_host_norm:
        values = [point.score for point in series.points]
    else:
        values = [p.relative_to_host_norm for p in series.points if p.host_norm is not None]
    return values[-1] - values[-2]


@settings(max_examples=300, deadline=None)
@given(journeys())
def test_cohort_trends_equal_the_full_journey(case):
    instrument, assessments, norms = case
    journey = journey_of(instrument, assessments, norms=norms)
    trends = trends_of(
        TrendShape.of(instrument, norms),
        [assessment.assessed_on.toordinal() for assessment in assessments],
        [assessment.overall_score for assessment in assessments],
        [assessment.domain_scores for assessment in assessments],
    )
    expected = [
        (
            series.key,
            series.integratedness_per_year,
            series.direction,
            _relative_step(series) if series.turned_down else None,
            series.progress_per_year,
            series.host_shift_per_year,
        )
        for series in (journey.overall, *journey.domains)
        if series.points
    ]
    assert list(zip(*trends, strict=True)) == expected


# --- Quartiles of the caseload's rates ------------------------------------------------------


@given(st.lists(scores, max_size=40))
def test_quartiles_are_numpys(rates):
    every = sorted(rates)
    if every:  # and they are numpy's (linear interpolation between closest ranks)
        expected = numpy.quantile(every, QUARTILES)
        assert quartiles_of(every) == pytest.approx(tuple(expected), rel=1e-9, abs=1e-9)
    else:
        assert quartiles_of(every) is None
