"""The maths of an integration journey: how fast a person's scores change, how fast the host
society's reference norm in force at each date changes, and how fast the person moves relative
to it, with where they are on the line of integration.

Integratedness is "the rate of change of an individual in relation to the parent or host
society" (seed 002): here the Theil–Sen slope, in points a year, of the person's score minus
the host norm in force on each date. Beside it every series gives the person's own change
(`progress_per_year`) and the norm's (`host_shift_per_year`), each estimated the same way, so
a page can say how much of a closing gap was the person and how much the host society moving
(a pandemic lowering everyone's wellbeing). Pure Python, no Django, so it can be
property-tested and benchmarked. `journey_of` is the full journey the person pages and the
command show; `trends_of` is the caseload's lean subset of it, held identical.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from pathmark.instruments.definition import Instrument, Stage

DAYS_PER_YEAR = 365.25
OVERALL = "overall"
"""The key of the overall score wherever domain ids are the keys (norms, series)."""

# Beyond this a projection says "not converging" rather than promising a date decades away.
PROJECTION_HORIZON_YEARS = 20.0

# Stability compares how far readings stray from their trend with the measurement error;
# an instrument that declares none is read against this many points.
DEFAULT_STRAYING_SCALE = 5.0


class Method(enum.StrEnum):
    """How a rate was estimated, from the number of readings on distinct dates."""

    THEIL_SEN = "theil_sen"
    TWO_POINT = "two_point"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_HOST_NORM = "no_host_norm"
    """A rate about the host norm where the series has none."""


class Direction(enum.StrEnum):
    IMPROVING = "improving"
    DECLINING = "declining"
    NO_CLEAR_CHANGE = "no_clear_change"
    NOT_ENOUGH_DATA = "not_enough_data"


class Convergence(enum.StrEnum):
    """Where the person stands against the host norm in force now, at their integratedness."""

    REACHED = "reached"
    CONVERGING = "converging"
    NOT_CONVERGING = "not_converging"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_NORM = "no_norm"


class GapStory(enum.StrEnum):
    """What happened to the gap to the host norm between the first and latest reading. A share
    of the gap closed is given only for `SHARE_CLOSED`; the others are told in words, because a
    percentage of a gap that changed sign, or started at nothing, means nothing."""

    SHARE_CLOSED = "share_closed"
    """Below the norm at both ends; the share is between -100 % and 100 %."""
    MORE_THAN_DOUBLED = "more_than_doubled"
    """Below the norm at both ends, the gap more than twice as wide as at first."""
    NOW_AT_OR_ABOVE = "now_at_or_above"
    """Was below the norm, now at or above it."""
    NOW_BELOW = "now_below"
    """Was at or above the norm, now below it."""
    STAYED_AT_OR_ABOVE = "stayed_at_or_above"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_NORM = "no_norm"


class Steadiness(enum.StrEnum):
    """How far the readings stray from their trend, against the measurement error."""

    STEADY = "steady"
    UPS_AND_DOWNS = "ups_and_downs"
    UNSETTLED = "unsettled"
    NOT_ENOUGH_DATA = "not_enough_data"


# --- Plain building blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    assessed_on: date
    score: float


@dataclass(frozen=True)
class HostNorm:
    """The local population's reference for one score from `valid_from` until the next
    version: `value` is the typical score, `low`-`high` the usual range (the band drawn)."""

    valid_from: date
    value: float
    low: float | None = None
    high: float | None = None
    label: Mapping[str, str] | None = None
    # From a survey of the host population: how many residents it rests on and the 95 %
    # interval of `value` (None for a norm written by hand in a file).
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    # The group whose norm this is ("" for the whole population), e.g. ("gender", "woman").
    group: tuple[str, str] = ("", "")


def years_between(start: date, end: date) -> float:
    return (end.toordinal() - start.toordinal()) / DAYS_PER_YEAR


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def theil_sen_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The median of the slopes between every pair of points with different x; None when all
    x are equal. Matches `scipy.stats.theilslopes(ys, xs).slope`."""
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    return median(slopes) if slopes else None


def rate_per_year(readings: Sequence[Reading]) -> tuple[float | None, Method]:
    """Points per year: Theil–Sen from three dates on, the two-point slope for two dates, and
    None for one date (readings on the same day count as one date for this purpose)."""
    if not readings:
        return None, Method.NOT_ENOUGH_DATA
    first = readings[0].assessed_on
    xs = [years_between(first, reading.assessed_on) for reading in readings]
    dates = len(set(xs))
    if dates < 2:
        return None, Method.NOT_ENOUGH_DATA
    slope = theil_sen_slope(xs, [reading.score for reading in readings])
    return slope, Method.THEIL_SEN if dates >= 3 else Method.TWO_POINT


def direction_of(change: float | None, measurement_error: float | None) -> Direction:
    """A change smaller than the instrument's measurement error is no clear change: the same
    person answering twice on one day could differ that much."""
    if change is None:
        return Direction.NOT_ENOUGH_DATA
    threshold = measurement_error or 0.0
    if change == 0 or abs(change) < threshold:
        return Direction.NO_CLEAR_CHANGE
    return Direction.IMPROVING if change > 0 else Direction.DECLINING


def norm_in_force(norms: Sequence[HostNorm], on: date) -> HostNorm | None:
    """The latest norm whose `valid_from` is on or before `on`; None before the first one.
    `norms` must be sorted by `valid_from`."""
    index = bisect.bisect_right([norm.valid_from for norm in norms], on)
    return norms[index - 1] if index else None


# --- Rates: the person's, the host norm's, and the one between them -----------------------


@dataclass(frozen=True)
class Rate:
    """One rate of change in points a year, how it was estimated, and whether it is a clear
    change: the change it implies over the period observed (`fitted_change`) must reach the
    instrument's measurement error, so rates within +-`band_per_year` are "no clear change"."""

    per_year: float | None
    method: Method
    direction: Direction
    fitted_change: float | None = None
    band_per_year: float | None = None


NOT_ENOUGH = Rate(None, Method.NOT_ENOUGH_DATA, Direction.NOT_ENOUGH_DATA)
NO_HOST_NORM = Rate(None, Method.NO_HOST_NORM, Direction.NOT_ENOUGH_DATA)


def rate_of(days: Sequence[int], values: Sequence[float], threshold: float) -> Rate:
    """The rate of `values` (in date order) on `days` (`date.toordinal()`): Theil–Sen from
    three distinct dates, the two-point slope for two, nothing for one. The direction compares
    the fitted change over the period with `threshold` (the measurement error, or 0)."""
    if not days or days[-1] == days[0]:  # in date order, so one distinct date
        return NOT_ENOUGH
    first = days[0]
    xs = [(day - first) / DAYS_PER_YEAR for day in days]
    slope = theil_sen_slope(xs, values)
    assert slope is not None  # two distinct dates make at least one slope
    method = Method.THEIL_SEN if len(set(days)) >= 3 else Method.TWO_POINT
    span = xs[-1]
    change = slope * span
    return Rate(slope, method, _direction(change, threshold), change, threshold / span)


class SeriesFigures(NamedTuple):
    """The three rates of one series and its fall between the last two readings: the part of
    a series the caseload stores, computed by one function for one series so that it can be
    batched. `fall` is the (negative) change of the person's score relative to the host norm
    between the last two readings when it is at least the measurement error, else None."""

    progress: Rate
    host_shift: Rate
    integratedness: Rate
    fall: float | None


def series_figures(
    days: Sequence[int],
    scores: Sequence[float],
    norm_values: Sequence[float | None],
    threshold: float,
) -> SeriesFigures:
    """The rates of one series: `scores[i]` read on `days[i]` (in date order) when the host
    norm in force was `norm_values[i]` (None before the first norm, or for a series without
    one). Integratedness is the rate of score minus norm over the readings that have a norm;
    a series with no norm at all is compared with a host taken as unchanged (integratedness
    equals progress, and the page says there is no norm)."""
    progress = rate_of(days, scores, threshold)
    with_norm = [i for i, norm in enumerate(norm_values) if norm is not None]
    if not with_norm:
        integratedness, host_shift = progress, NO_HOST_NORM
        relative: list[float] = list(scores)
    else:
        norm_days = [days[i] for i in with_norm]
        norms = [norm_values[i] for i in with_norm]
        relative = [
            scores[i] - norm for i, norm in zip(with_norm, norms, strict=True) if norm is not None
        ]
        host_shift = rate_of(norm_days, [norm for norm in norms if norm is not None], threshold)
        integratedness = rate_of(norm_days, relative, threshold)
    fall = None
    if len(relative) >= 2:
        step = relative[-1] - relative[-2]
        if step < 0 and not abs(step) < threshold:
            fall = step
    return SeriesFigures(progress, host_shift, integratedness, fall)


def _direction(change: float, threshold: float) -> Direction:
    """`direction_of` for a change that is known."""
    if change == 0 or abs(change) < threshold:
        return Direction.NO_CLEAR_CHANGE
    return Direction.IMPROVING if change > 0 else Direction.DECLINING


# --- A series: one domain (or the overall) of one person over time -------------------------


@dataclass(frozen=True)
class Point:
    assessed_on: date
    score: float
    stage: str | None
    host_norm: HostNorm | None

    @property
    def gap_to_host_norm(self) -> float | None:
        """The host norm in force on the date minus the score: positive below the norm,
        negative above it."""
        return None if self.host_norm is None else self.host_norm.value - self.score

    @property
    def relative_to_host_norm(self) -> float | None:
        """Score minus the host norm in force: the quantity whose rate is integratedness."""
        return None if self.host_norm is None else self.score - self.host_norm.value

    @property
    def points_below_host_norm(self) -> float | None:
        """How far below the norm; 0 (never negative) at or above it."""
        gap = self.gap_to_host_norm
        return None if gap is None else max(0.0, gap)

    @property
    def points_above_host_norm(self) -> float | None:
        gap = self.gap_to_host_norm
        return None if gap is None else max(0.0, -gap)


@dataclass(frozen=True)
class Transition:
    assessed_on: date
    from_stage: str | None
    to_stage: str | None
    upward: bool


@dataclass(frozen=True)
class Projection:
    state: Convergence
    years: float | None = None
    reaches_on: date | None = None
    host_norm: float | None = None


@dataclass(frozen=True)
class GapChange:
    """What happened to the gap to the host norm from the first reading with a norm to the
    latest. `share_closed` is set only when `story` is `SHARE_CLOSED`, and always lies in
    -1..1 (a share of -1 is a gap that doubled)."""

    story: GapStory
    first_gap: float | None = None
    latest_gap: float | None = None
    share_closed: float | None = None


@dataclass(frozen=True)
class Stability:
    """How far the readings relative to the host norm stray from their integratedness trend
    line: `straying` is the mean distance in points (three readings or more)."""

    steadiness: Steadiness
    straying: float | None = None


@dataclass(frozen=True)
class Series:
    key: str
    points: tuple[Point, ...]
    progress: Rate
    """The person's own change: the rate of their scores."""
    host_shift: Rate
    """The change of the host norm in force at the same dates."""
    integratedness: Rate
    """The rate of score minus host norm: the headline."""
    has_host_norm: bool
    """Whether any reading has a host norm in force; without one, integratedness is the
    person's own progress (a host taken as unchanged) and the page says so."""
    distance_travelled: float | None
    """Latest score minus first score."""
    gap: GapChange
    stability: Stability
    projection: Projection
    transitions: tuple[Transition, ...]
    norm_changes: tuple[HostNorm, ...]
    """Norm versions that came into force between the first reading and `as_of`."""
    turned_down: bool
    """Fell relative to the host norm by at least the measurement error between the last two
    readings. The journey as a whole turned down only by `journey_turned_down`."""

    @property
    def integratedness_per_year(self) -> float | None:
        return self.integratedness.per_year

    @property
    def progress_per_year(self) -> float | None:
        return self.progress.per_year

    @property
    def host_shift_per_year(self) -> float | None:
        return self.host_shift.per_year

    @property
    def method(self) -> Method:
        return self.integratedness.method

    @property
    def direction(self) -> Direction:
        return self.integratedness.direction

    @property
    def share_of_gap_closed(self) -> float | None:
        return self.gap.share_closed

    @property
    def first(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def span_years(self) -> float:
        if len(self.points) < 2:
            return 0.0
        return years_between(self.points[0].assessed_on, self.points[-1].assessed_on)


def series_of(
    key: str,
    readings: Sequence[Reading],
    *,
    norms: Sequence[HostNorm] = (),
    stages: Sequence[Stage] = (),
    stage_ids: Sequence[str | None] | None = None,
    measurement_error: float | None = None,
    as_of: date | None = None,
) -> Series:
    """The journey of one score. `readings` must be in date order. `stage_ids`, when given,
    overrides the stage of each reading (the overall stage may be capped by domains)."""
    count = len(readings)
    if not count:
        return _empty_series(key)
    threshold = measurement_error or 0.0
    days = [reading.assessed_on.toordinal() for reading in readings]
    ys = [reading.score for reading in readings]
    in_force = norms_in_force(norms, days)
    figures = series_figures(
        days, ys, [None if norm is None else norm.value for norm in in_force], threshold
    )
    if stage_ids is None:
        indexes = _stage_indexes(stages, ys)
        stage_ids = [None if index is None else stages[index].id for index in indexes]
    points = tuple(
        Point(reading.assessed_on, reading.score, stage_ids[i], in_force[i])
        for i, reading in enumerate(readings)
    )
    today = as_of or readings[-1].assessed_on
    norm_now = norms_in_force(norms, [today.toordinal()])[0]
    order = {stage.id: index for index, stage in enumerate(stages)}
    transitions = tuple(
        Transition(
            points[i].assessed_on,
            stage_ids[i - 1],
            stage_ids[i],
            order.get(stage_ids[i] or "", -1) > order.get(stage_ids[i - 1] or "", -1),
        )
        for i in range(1, count)
        if stage_ids[i] != stage_ids[i - 1]
    )
    return Series(
        key=key,
        points=points,
        progress=figures.progress,
        host_shift=figures.host_shift,
        integratedness=figures.integratedness,
        has_host_norm=any(norm is not None for norm in in_force),
        distance_travelled=ys[-1] - ys[0] if count >= 2 else None,
        gap=gap_change(points, figures.integratedness),
        stability=stability_of(points, figures.integratedness, measurement_error),
        projection=_projection(points[-1], norm_now, figures.integratedness),
        transitions=transitions,
        norm_changes=tuple(
            norm for norm in norms if readings[0].assessed_on < norm.valid_from <= today
        ),
        turned_down=figures.fall is not None,
    )


def norms_in_force(norms: Sequence[HostNorm], days: Sequence[int]) -> list[HostNorm | None]:
    """The norm in force on each day (`date.toordinal()`), found by bisection."""
    if not norms:
        return [None] * len(days)
    norm_days = [norm.valid_from.toordinal() for norm in norms]
    found: list[HostNorm | None] = []
    for day in days:
        index = bisect.bisect_right(norm_days, day)
        found.append(norms[index - 1] if index else None)
    return found


def _empty_series(key: str) -> Series:
    return Series(
        key=key,
        points=(),
        progress=NOT_ENOUGH,
        host_shift=NOT_ENOUGH,
        integratedness=NOT_ENOUGH,
        has_host_norm=False,
        distance_travelled=None,
        gap=GapChange(GapStory.NOT_ENOUGH_DATA),
        stability=Stability(Steadiness.NOT_ENOUGH_DATA),
        projection=Projection(Convergence.NO_NORM),
        transitions=(),
        norm_changes=(),
        turned_down=False,
    )


def gap_change(points: Sequence[Point], integratedness: Rate) -> GapChange:
    """The gap's story from the first reading with a norm to the latest. It needs what
    integratedness needs (two dates with a norm): with less, it says so too."""
    gaps = [point.gap_to_host_norm for point in points if point.gap_to_host_norm is not None]
    if not gaps:
        return GapChange(GapStory.NO_NORM)
    if integratedness.method == Method.NOT_ENOUGH_DATA:
        return GapChange(GapStory.NOT_ENOUGH_DATA, gaps[0], gaps[-1])
    first, latest = gaps[0], gaps[-1]
    if first > 0 and latest > 0:
        share = (first - latest) / first
        if share < -1:
            return GapChange(GapStory.MORE_THAN_DOUBLED, first, latest)
        return GapChange(GapStory.SHARE_CLOSED, first, latest, share)
    if first > 0:
        return GapChange(GapStory.NOW_AT_OR_ABOVE, first, latest)
    if latest > 0:
        return GapChange(GapStory.NOW_BELOW, first, latest)
    return GapChange(GapStory.STAYED_AT_OR_ABOVE, first, latest)


def stability_of(
    points: Sequence[Point], integratedness: Rate, measurement_error: float | None
) -> Stability:
    """The mean distance of the readings (relative to the norm where there is one) from the
    Theil–Sen line of integratedness, whose intercept is the median of y - slope * x. A line
    through two readings touches both, so stability needs three dates, as Theil–Sen does."""
    if integratedness.method != Method.THEIL_SEN or integratedness.per_year is None:
        return Stability(Steadiness.NOT_ENOUGH_DATA)
    pairs = [
        (point.assessed_on.toordinal(), point.relative_to_host_norm)
        for point in points
        if point.relative_to_host_norm is not None
    ] or [(point.assessed_on.toordinal(), point.score) for point in points]
    first = pairs[0][0]
    xs = [(day - first) / DAYS_PER_YEAR for day, _ in pairs]
    ys = [value for _, value in pairs if value is not None]
    slope = integratedness.per_year
    intercept = median([y - slope * x for x, y in zip(xs, ys, strict=True)])
    straying = sum(abs(y - (intercept + slope * x)) for x, y in zip(xs, ys, strict=True)) / len(ys)
    scale = measurement_error or DEFAULT_STRAYING_SCALE
    if straying <= scale:
        steadiness = Steadiness.STEADY
    elif straying <= 2 * scale:
        steadiness = Steadiness.UPS_AND_DOWNS
    else:
        steadiness = Steadiness.UNSETTLED
    return Stability(steadiness, straying)


def _stage_indexes(stages: Sequence[Stage], scores: Sequence[float]) -> list[int | None]:
    """The stage of each score. Stages tile 0-100 without gaps (the instrument reader checks),
    so the stage is the last one starting at or below the score."""
    if not stages:
        return [None] * len(scores)
    starts = [stage.min_score for stage in stages]
    top = stages[-1].max_score
    found: list[int | None] = []
    for score in scores:
        index = bisect.bisect_right(starts, score) - 1
        found.append(index if index >= 0 and score <= top else None)
    return found


def _projection(
    latest: Point | None, norm_now: HostNorm | None, integratedness: Rate
) -> Projection:
    """When the latest score would reach the host norm in force now if the person kept moving
    relative to the host at their integratedness; honest about "never", "already there" and
    "too early to say" (the same readings integratedness needs)."""
    if latest is None or norm_now is None:
        return Projection(Convergence.NO_NORM)
    gap = norm_now.value - latest.score
    if gap <= 0:
        return Projection(Convergence.REACHED, host_norm=norm_now.value)
    rate = integratedness.per_year
    if rate is None:
        return Projection(Convergence.NOT_ENOUGH_DATA, host_norm=norm_now.value)
    if integratedness.direction != Direction.IMPROVING or rate <= 0:
        return Projection(Convergence.NOT_CONVERGING, host_norm=norm_now.value)
    years = gap / rate
    if years > PROJECTION_HORIZON_YEARS:
        return Projection(Convergence.NOT_CONVERGING, years=years, host_norm=norm_now.value)
    reaches_on = latest.assessed_on + timedelta(days=round(years * DAYS_PER_YEAR))
    return Projection(Convergence.CONVERGING, years, reaches_on, norm_now.value)


# --- When a journey turned down -------------------------------------------------------------

TURNED_DOWN_DOMAINS = 2
"""How many domains must fall together, when the overall did not, to put a journey on the
worklist."""

TREND_RULE = 3
"""The version of the caseload's trend rule (`trends_of` and `journey_turned_down`). Stored
with every trend computed, so figures computed under an older rule show as stale: raise it
whenever either function changes what it gives. 1 was "any domain fell"; 2 measured falls and
rates on the person's own scores, before integratedness became relative to the host norm."""


def journey_turned_down(fell: Iterable[str]) -> bool:
    """A journey turned down when the overall score fell by at least the instrument's
    measurement error between the last two readings, or when at least `TURNED_DOWN_DOMAINS`
    domains each did. `fell` names the series (`OVERALL` or domain ids) that fell that much.

    Why not "any domain fell", the first rule: a domain is the mean of a few five-point items,
    so one answer moving one step moves the domain by more than the measurement error. Under
    that rule two in three of the demo's journeys with two or more assessments "turned down"
    (146 of 226), and a worklist that names most of the caseload is no worklist; under this
    one, 86 do. The overall averages every domain, so its fall is a real one; two domains
    falling together is much less likely to be one answer's noise."""
    keys = set(fell)
    return OVERALL in keys or len(keys) >= TURNED_DOWN_DOMAINS


# --- A person's journey on one instrument ----------------------------------------------------


@dataclass(frozen=True)
class ScoredAssessment:
    """What the maths needs of one completed assessment."""

    assessed_on: date
    domain_scores: Mapping[str, float | None]
    overall_score: float | None


@dataclass(frozen=True)
class Journey:
    instrument: Instrument
    overall: Series
    domains: tuple[Series, ...]
    assessments: int

    @property
    def turned_down(self) -> bool:
        """Whether the journey belongs on the caseload worklist: see `journey_turned_down`."""
        return journey_turned_down(
            series.key for series in (self.overall, *self.domains) if series.turned_down
        )

    def series(self, key: str) -> Series | None:
        if key == OVERALL:
            return self.overall
        return next((series for series in self.domains if series.key == key), None)


def overall_stage(
    instrument: Instrument, overall_score: float | None, domain_scores: Mapping[str, float | None]
) -> str | None:
    """The id of the overall stage under the instrument's `overall_stage_rule`: the same
    function scoring uses for the stage stored with each assessment."""
    stage = instrument.overall_stage_for(overall_score, domain_scores)
    return stage.id if stage else None


def journey_of(
    instrument: Instrument,
    assessments: Sequence[ScoredAssessment],
    *,
    norms: Mapping[str, Sequence[HostNorm]] | None = None,
    as_of: date | None = None,
) -> Journey:
    """Every series of one person on one instrument. `assessments` must be in date order;
    domains left unscored on a date (too few answers) are simply missing from that date."""
    norms = norms or {}
    error = instrument.measurement_error
    stages = instrument.stages
    domains = []
    for domain in instrument.domains:
        readings = [
            Reading(assessment.assessed_on, float(score))
            for assessment in assessments
            if (score := assessment.domain_scores.get(domain.id)) is not None
        ]
        domains.append(
            series_of(
                domain.id,
                readings,
                norms=norms.get(domain.id, ()),
                stages=stages,
                measurement_error=error,
                as_of=as_of,
            )
        )
    scored = [assessment for assessment in assessments if assessment.overall_score is not None]
    overall = series_of(
        OVERALL,
        [
            Reading(a.assessed_on, float(a.overall_score))
            for a in scored
            if a.overall_score is not None
        ],
        norms=norms.get(OVERALL, ()),
        stages=stages,
        stage_ids=[overall_stage(instrument, a.overall_score, a.domain_scores) for a in scored],
        measurement_error=error,
        as_of=as_of,
    )
    return Journey(instrument, overall, tuple(domains), len(assessments))


# --- The caseload: only what the cohort page needs -------------------------------------------
#
# The cohort page needs, for every person and series, the rates, the direction and whether the
# series turned down: not points, stages, gaps or projections. `trends_of` computes just those
# with `series_figures`, the function `series_of` uses, so the two give identical numbers (a
# property test holds them to it): one call per series, so that it can be batched.


class Trends(NamedTuple):
    """A person's series on one instrument as the caseload sees them, in parallel: series
    `keys[k]` has `integratedness_per_year[k]`, `directions[k]` (of integratedness),
    `falls[k]`, `progress_per_year[k]` and `host_shift_per_year[k]`, each equal to the same
    thing in the `Series` that `journey_of` gives. `falls[k]` is the (negative) change relative
    to the host norm between the last two readings when the series turned down, None when it
    did not. Parallel lists rather than an object per series, because the cohort adds them up
    a whole column at a time."""

    keys: tuple[str, ...]
    integratedness_per_year: tuple[float | None, ...]
    directions: tuple[Direction, ...]
    falls: tuple[float | None, ...]
    progress_per_year: tuple[float | None, ...]
    host_shift_per_year: tuple[float | None, ...]


@dataclass(frozen=True)
class TrendShape:
    """What `trends_of` needs of an instrument version and its host norms, resolved once."""

    domain_ids: tuple[str, ...]
    threshold: float
    """The measurement error, or 0: a change smaller than this is no clear change."""
    norm_days: Mapping[str, tuple[tuple[int, ...], tuple[float, ...]]] = dataclass_field(
        default_factory=dict
    )
    """Per series key, the day each norm version came into force and its value."""

    @classmethod
    def of(
        cls, instrument: Instrument, norms: Mapping[str, Sequence[HostNorm]] | None = None
    ) -> TrendShape:
        return cls(
            tuple(domain.id for domain in instrument.domains),
            instrument.measurement_error or 0.0,
            {
                key: (
                    tuple(norm.valid_from.toordinal() for norm in found),
                    tuple(norm.value for norm in found),
                )
                for key, found in (norms or {}).items()
                if found
            },
        )

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The overall, then the domains: the order of every list in `Trends`."""
        return (OVERALL, *self.domain_ids)

    def norm_values(self, key: str, days: Sequence[int]) -> list[float | None]:
        """The value of the norm of `key` in force on each day."""
        found = self.norm_days.get(key)
        if found is None:
            return [None] * len(days)
        starts, values = found
        out: list[float | None] = []
        for day in days:
            index = bisect.bisect_right(starts, day)
            out.append(values[index - 1] if index else None)
        return out


def trends_of(
    shape: TrendShape,
    days: Sequence[int],
    overall_scores: Sequence[float | None],
    domain_scores: Sequence[Mapping[str, float | None]],
) -> Trends:
    """The overall and domain trends of one person's completed assessments in date order:
    `days[i]` is the i-th assessment's `date.toordinal()`. A series with no score is left
    out, as `journey_of` leaves it without points."""
    threshold = shape.threshold
    columns: list[Sequence[float | None]] = [overall_scores]
    columns.extend([scores.get(key) for scores in domain_scores] for key in shape.domain_ids)
    keys: list[str] = []
    found: list[SeriesFigures] = []
    for key, column in zip(shape.keys, columns, strict=True):
        present = [index for index, score in enumerate(column) if score is not None]
        if not present:
            continue
        series_days = [days[i] for i in present]
        scores = [float(column[i]) for i in present]  # type: ignore[arg-type]
        keys.append(key)
        found.append(
            series_figures(series_days, scores, shape.norm_values(key, series_days), threshold)
        )
    return Trends(
        tuple(keys),
        tuple(figures.integratedness.per_year for figures in found),
        tuple(figures.integratedness.direction for figures in found),
        tuple(figures.fall for figures in found),
        tuple(figures.progress.per_year for figures in found),
        tuple(figures.host_shift.per_year for figures in found),
    )
