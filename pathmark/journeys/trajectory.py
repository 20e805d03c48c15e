"""The maths of an integration journey: how fast a person's scores change, how far they are
from the host society's reference norm in force at each date, and where they are on the line
of integration.

Integratedness is the rate of change of a person relative to the host society (seed 002). Here
it is the Theil–Sen slope of scores against time in points per year, robust to one odd reading.
The host norm is dated, so a shift in the host society (a pandemic) moves the gap but never the
person's own scores or rate. Pure Python, no Django, so it can be property-tested and
benchmarked. `journey_of` is the full journey the person pages and the command show;
`trends_of` is the caseload's lean subset of it (rate, direction, turned down), held identical.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import repeat
from operator import add, itemgetter, mul, sub, truediv
from typing import NamedTuple

from pathmark.instruments.definition import Instrument, Stage

DAYS_PER_YEAR = 365.25
OVERALL = "overall"
"""The key of the overall score wherever domain ids are the keys (norms, series)."""

# Beyond this a projection says "not converging" rather than promising a date decades away.
PROJECTION_HORIZON_YEARS = 20.0


class Method(enum.StrEnum):
    """How the rate was estimated, from the number of readings on distinct dates."""

    THEIL_SEN = "theil_sen"
    TWO_POINT = "two_point"
    NOT_ENOUGH_DATA = "not_enough_data"


class Direction(enum.StrEnum):
    IMPROVING = "improving"
    DECLINING = "declining"
    NO_CLEAR_CHANGE = "no_clear_change"
    NOT_ENOUGH_DATA = "not_enough_data"


class Convergence(enum.StrEnum):
    """Where the person stands against the host norm in force now, at their current rate."""

    REACHED = "reached"
    CONVERGING = "converging"
    NOT_CONVERGING = "not_converging"
    NO_NORM = "no_norm"


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


# --- A series: one domain (or the overall) of one person over time -------------------------


@dataclass(frozen=True)
class Point:
    assessed_on: date
    score: float
    stage: str | None
    host_norm: HostNorm | None

    @property
    def gap_to_host_norm(self) -> float | None:
        """Points below the host norm in force on the date; negative when above it."""
        return None if self.host_norm is None else self.host_norm.value - self.score


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
class Series:
    key: str
    points: tuple[Point, ...]
    integratedness_per_year: float | None
    method: Method
    direction: Direction
    distance_travelled: float | None
    """Latest score minus first score."""
    fitted_change: float | None
    """The change the rate implies over the period observed; compared with the error."""
    gap_closing_per_year: float | None
    """How fast the gap to the host norm shrinks (positive) or grows (negative)."""
    share_of_gap_closed: float | None
    """(first gap - latest gap) / first gap, when the person started below the norm."""
    projection: Projection
    transitions: tuple[Transition, ...]
    norm_changes: tuple[HostNorm, ...]
    """Norm versions that came into force between the first reading and `as_of`."""
    turned_down: bool
    """Declined by at least the measurement error between the last two readings. The journey
    as a whole turned down only by `journey_turned_down`."""

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
    overrides the stage of each reading (the overall stage may be capped by domains).

    Written for speed as well as clarity (the cohort computes one per person and domain):
    dates become day numbers once, and the norm and stage of each reading are found by
    bisection rather than by scanning."""
    count = len(readings)
    if not count:
        return _empty_series(key, norms)
    days = [reading.assessed_on.toordinal() for reading in readings]
    xs = [(day - days[0]) / DAYS_PER_YEAR for day in days]
    ys = [reading.score for reading in readings]
    distinct = len(set(days))
    rate = theil_sen_slope(xs, ys) if distinct >= 2 else None
    method = (
        Method.NOT_ENOUGH_DATA
        if distinct < 2
        else Method.THEIL_SEN
        if distinct >= 3
        else Method.TWO_POINT
    )
    fitted_change = None if rate is None else rate * xs[-1]
    direction = direction_of(fitted_change, measurement_error)

    norm_days = [norm.valid_from.toordinal() for norm in norms]
    in_force: list[HostNorm | None] = []
    for day in days:
        index = bisect.bisect_right(norm_days, day)
        in_force.append(norms[index - 1] if index else None)
    if stage_ids is None:
        indexes = _stage_indexes(stages, ys)
        stage_ids = [None if index is None else stages[index].id for index in indexes]
    points = tuple(
        Point(reading.assessed_on, reading.score, stage_ids[i], in_force[i])
        for i, reading in enumerate(readings)
    )

    gap_xs = [xs[i] for i in range(count) if in_force[i] is not None]
    gaps = [in_force[i].value - ys[i] for i in range(count) if in_force[i] is not None]  # type: ignore[union-attr]
    gap_slope = theil_sen_slope(gap_xs, gaps) if len(gaps) >= 2 else None
    share = None
    if len(gaps) >= 2 and gaps[0] > 0:
        share = (gaps[0] - gaps[-1]) / gaps[0]

    today = as_of or readings[-1].assessed_on
    index = bisect.bisect_right(norm_days, today.toordinal())
    norm_now = norms[index - 1] if index else None
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
    last_step = ys[-1] - ys[-2] if count >= 2 else None
    return Series(
        key=key,
        points=points,
        integratedness_per_year=rate,
        method=method,
        direction=direction,
        distance_travelled=ys[-1] - ys[0] if count >= 2 else None,
        fitted_change=fitted_change,
        gap_closing_per_year=None if gap_slope is None else -gap_slope,
        share_of_gap_closed=share,
        projection=_projection(points[-1], norm_now, rate, direction),
        transitions=transitions,
        norm_changes=tuple(
            norm for norm in norms if readings[0].assessed_on < norm.valid_from <= today
        ),
        turned_down=direction_of(last_step, measurement_error) == Direction.DECLINING,
    )


def _empty_series(key: str, norms: Sequence[HostNorm]) -> Series:
    return Series(
        key=key,
        points=(),
        integratedness_per_year=None,
        method=Method.NOT_ENOUGH_DATA,
        direction=Direction.NOT_ENOUGH_DATA,
        distance_travelled=None,
        fitted_change=None,
        gap_closing_per_year=None,
        share_of_gap_closed=None,
        projection=Projection(Convergence.NO_NORM),
        transitions=(),
        norm_changes=(),
        turned_down=False,
    )


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
    latest: Point | None, norm_now: HostNorm | None, rate: float | None, direction: Direction
) -> Projection:
    """When the latest score would reach the host norm in force now if the person kept
    changing at their current rate; honest about "never" and "already there"."""
    if latest is None or norm_now is None:
        return Projection(Convergence.NO_NORM)
    gap = norm_now.value - latest.score
    if gap <= 0:
        return Projection(Convergence.REACHED, host_norm=norm_now.value)
    if direction != Direction.IMPROVING or rate is None or rate <= 0:
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

TREND_RULE = 2
"""The version of the caseload's trend rule (`trends_of` and `journey_turned_down`). Stored
with every trend computed, so figures computed under an older rule show as stale: raise it
whenever either function changes what it gives. 1 was "any domain fell"."""


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
# The cohort page needs, for every person and series, the rate, the direction and whether the
# series turned down: not points, stages, norms, gaps or projections. `trends_of` computes just
# those with the same arithmetic as `series_of`, so the two give identical numbers (a property
# test holds them to it), at a fraction of the cost: no objects per reading; dates become day
# numbers, and the time between every pair of assessments is worked out, once per person
# rather than once per domain; the instrument's keys and error are resolved once per version.

_IMPROVING = Direction.IMPROVING
_DECLINING = Direction.DECLINING
_NO_CLEAR_CHANGE = Direction.NO_CLEAR_CHANGE
_NOT_ENOUGH_DATA = Direction.NOT_ENOUGH_DATA


class Trends(NamedTuple):
    """A person's series on one instrument as the caseload sees them, in parallel: series
    `keys[k]` has `integratedness_per_year[k]`, `directions[k]` and `falls[k]`, each equal to
    the same thing in the `Series` that `journey_of` gives. `falls[k]` is the (negative)
    change between the last two readings when the series turned down (`Series.turned_down`),
    None when it did not. Parallel lists rather than an object per series, because the cohort
    adds them up a whole column at a time."""

    keys: tuple[str, ...]
    integratedness_per_year: list[float | None]
    directions: list[Direction]
    falls: list[float | None]


@dataclass(frozen=True)
class TrendShape:
    """What `trends_of` needs of an instrument version, resolved once per version."""

    domain_ids: tuple[str, ...]
    threshold: float
    """The measurement error, or 0: a change smaller than this is no clear change."""

    @classmethod
    def of(cls, instrument: Instrument) -> TrendShape:
        return cls(
            tuple(domain.id for domain in instrument.domains),
            instrument.measurement_error or 0.0,
        )

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The overall, then the domains: the order of every list in `Trends`."""
        return (OVERALL, *self.domain_ids)

    def score_rows(
        self,
        overall_scores: Sequence[float | None],
        domain_scores: Sequence[Mapping[str, float | None]],
    ) -> list[tuple[float | None, ...]]:
        """Each assessment's scores in `keys` order."""
        if len(self.domain_ids) >= 2:
            in_order = itemgetter(*self.domain_ids)
            try:
                return [
                    (overall, *in_order(scores))
                    for overall, scores in zip(overall_scores, domain_scores, strict=True)
                ]
            except KeyError:  # an assessment of an older version lacks a newer domain
                pass
        return [
            (overall, *(scores.get(key) for key in self.domain_ids))
            for overall, scores in zip(overall_scores, domain_scores, strict=True)
        ]


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
    rows = shape.score_rows(overall_scores, domain_scores)
    if any(None in row for row in rows):
        # Some series miss a date: each has its own dates, so work through them one by one.
        keys: list[str] = []
        found: list[tuple[float | None, Direction, float | None]] = []
        for key, column in zip(shape.keys, zip(*rows, strict=True), strict=True):
            present = [index for index, score in enumerate(column) if score is not None]
            if present:
                scores: list[float] = [column[i] for i in present]
                keys.append(key)
                found.append(_trend([days[i] for i in present], scores, threshold))
        return Trends(
            tuple(keys),
            [rate for rate, _, _ in found],
            [direction for _, direction, _ in found],
            [fall for _, _, fall in found],
        )

    # Every series is scored at every assessment, so they share their dates: the time between
    # each pair of assessments is worked out once, and the loops run over all series at once.
    # The arithmetic below runs in `map` over operator functions rather than in Python loops:
    # the same operations on the same numbers, without the interpreter's cost per number.
    complete: list[tuple[float, ...]] = rows  # type: ignore[assignment]
    count = len(complete)
    falls: list[float | None] = [None] * len(shape.keys)
    if count >= 2:
        falls = [
            step if step < 0 and not abs(step) < threshold else None  # turned down
            for step in map(sub, complete[-1], complete[-2])
        ]
    first = days[0]
    xs = [(day - first) / DAYS_PER_YEAR for day in days]
    pairs = [
        (i, j, xs[j] - xs[i]) for i in range(count) for j in range(i + 1, count) if xs[j] != xs[i]
    ]
    if not pairs:
        return Trends(shape.keys, [None] * len(falls), [_NOT_ENOUGH_DATA] * len(falls), falls)
    # slopes_by_pair[p][k]: series k's slope between the assessments of pair p.
    slopes_by_pair = [
        map(truediv, map(sub, complete[j], complete[i]), repeat(gap)) for i, j, gap in pairs
    ]
    # Theil–Sen: the median of each series' slopes.
    ordered = list(map(sorted, zip(*slopes_by_pair, strict=True)))
    middle, odd = divmod(len(pairs), 2)
    if odd:
        rates = list(map(itemgetter(middle), ordered))
    else:
        rates = list(
            map(
                truediv,
                map(add, map(itemgetter(middle - 1), ordered), map(itemgetter(middle), ordered)),
                repeat(2),
            )
        )
    directions: list[Direction] = [
        # _direction(change, threshold), written out: a call per series costs more than the sum
        _NO_CLEAR_CHANGE
        if change == 0 or abs(change) < threshold
        else _IMPROVING
        if change > 0
        else _DECLINING
        for change in map(mul, rates, repeat(xs[-1]))
    ]
    return Trends(shape.keys, rates, directions, falls)


def _direction(fitted_change: float, threshold: float) -> Direction:
    """`direction_of` for a change that is known."""
    if fitted_change == 0 or abs(fitted_change) < threshold:
        return _NO_CLEAR_CHANGE
    return _IMPROVING if fitted_change > 0 else _DECLINING


def _trend(
    days: Sequence[int], ys: Sequence[float], threshold: float
) -> tuple[float | None, Direction, float | None]:
    """One series on its own dates: `series_of`'s rate, direction and turned-down test, step
    for step (the same operations in the same order, so the same floating-point results)."""
    count = len(ys)
    fall = None
    if count >= 2:
        step = ys[-1] - ys[-2]
        if step < 0 and not abs(step) < threshold:
            fall = step
    first = days[0]
    if days[-1] == first:  # in date order, so one distinct date
        return None, _NOT_ENOUGH_DATA, fall
    xs = [(day - first) / DAYS_PER_YEAR for day in days]
    rate = theil_sen_slope(xs, ys)
    assert rate is not None  # two distinct dates make at least one slope
    return rate, _direction(rate * xs[-1], threshold), fall
