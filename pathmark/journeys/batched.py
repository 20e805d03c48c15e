"""`trajectory.trends_of` for many journeys at once, with numpy: the same numbers, bit for bit,
at a fraction of the cost, so that rebuilding every stored trend of a city's caseload takes
seconds rather than minutes.

`trends_of` works one series at a time: for 100,000 people with ten domains that is a million
calls, each sorting a handful of pairwise slopes in Python. Here the journeys of one instrument
version with the same number of readings are stacked into arrays (journeys × readings), and
each series key is one array operation: every pairwise slope of every journey at once
(`numpy.triu_indices`), sorted along the row, the median picked by each row's count of
slopes between distinct dates. The arithmetic is the same IEEE operations in the same order as
`trajectory` (day differences divided by `DAYS_PER_YEAR`, slope = dy / dx, median of two =
(a + b) / 2, change = slope × span), so the results are equal, not merely close; a property
test holds them to it.

A journey with a reading that lacks a score for some series (a domain left unscored for too
few answers) is handed to `trends_of` itself: it is rare, and its series then have different
dates from one another. Pure: numpy and the journey maths only, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from .trajectory import DAYS_PER_YEAR, Direction, Trends, TrendShape, trends_of

JourneyReadings = tuple[Sequence[int], Sequence[float | None], Sequence[Mapping[str, Any]]]
"""What `trends_of` takes for one journey: the days (`date.toordinal()`, in date order), the
overall score and the domain scores of each reading."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Direction codes in the arrays, and the Direction each stands for.
_NOT_ENOUGH, _NO_CLEAR, _IMPROVING, _DECLINING = 0, 1, 2, 3
_DIRECTIONS = (
    Direction.NOT_ENOUGH_DATA,
    Direction.NO_CLEAR_CHANGE,
    Direction.IMPROVING,
    Direction.DECLINING,
)


def trends_of_many(shape: TrendShape, journeys: Sequence[JourneyReadings]) -> list[Trends]:
    """`[trends_of(shape, *journey) for journey in journeys]`, computed a column at a time."""
    found: list[Trends | None] = [None] * len(journeys)
    by_length: dict[int, list[int]] = {}
    for index, (days, _overall, _domains) in enumerate(journeys):
        by_length.setdefault(len(days), []).append(index)
    width = 1 + len(shape.domain_ids)
    for length, indexes in by_length.items():
        if length == 0:
            for index in indexes:
                found[index] = trends_of(shape, *journeys[index])
            continue
        day_numbers = np.array([journeys[i][0] for i in indexes], dtype=np.int64).reshape(
            len(indexes), length
        )
        # journeys × readings × series (the overall, then each domain); None becomes NaN.
        domain_ids = shape.domain_ids
        scores = np.array(
            [
                [
                    [overall, *map(domains.get, domain_ids)]
                    for overall, domains in zip(journeys[i][1], journeys[i][2], strict=True)
                ]
                for i in indexes
            ],
            dtype=np.float64,
        ).reshape(len(indexes), length, width)
        complete = ~np.isnan(scores).any(axis=(1, 2))
        for position in np.flatnonzero(~complete).tolist():
            index = indexes[position]
            found[index] = trends_of(shape, *journeys[index])
        if not complete.any():
            continue
        kept = [indexes[position] for position in np.flatnonzero(complete).tolist()]
        for index, trends in zip(
            kept, _complete_trends(shape, day_numbers[complete], scores[complete]), strict=True
        ):
            found[index] = trends
    assert all(trends is not None for trends in found)
    return found  # type: ignore[return-value]


def _complete_trends(shape: TrendShape, days: Ints, scores: Floats) -> list[Trends]:
    """Trends of journeys with every series scored at every reading (`days`: journeys ×
    readings; `scores`: journeys × readings × series)."""
    fields: list[list[list[Any]]] = [[], [], [], [], []]
    for k, key in enumerate(shape.keys):
        integratedness, direction, fall, progress, host_shift = _series(
            shape, key, days, scores[:, :, k]
        )
        fields[0].append(_optional(integratedness))
        fields[1].append([_DIRECTIONS[code] for code in direction.tolist()])
        fields[2].append(_optional(fall))
        fields[3].append(_optional(progress))
        fields[4].append(_optional(host_shift))
    # Each field from series × journeys to one tuple per journey, transposed by zip.
    keys = repeat(shape.keys)
    return list(map(Trends, keys, *(zip(*columns, strict=True) for columns in fields)))


def _optional(values: Floats) -> list[float | None]:
    """NaN (no value) as None, as the scalar code gives it."""
    return [None if value != value else value for value in values.tolist()]


def _series(
    shape: TrendShape, key: str, days: Ints, scores: Floats
) -> tuple[Floats, Ints, Floats, Floats, Floats]:
    """One series key of every journey: integratedness per year and its direction, the fall,
    progress per year and host shift per year (NaN where `series_figures` gives None)."""
    threshold = shape.threshold
    rows, length = days.shape
    progress, progress_direction = _rates(days, scores, threshold)
    integratedness = progress.copy()
    direction = progress_direction.copy()
    host_shift = np.full(rows, np.nan)
    fall = np.full(rows, np.nan)
    norms = shape.norm_days.get(key)
    if norms is None:
        without_norm = np.ones(rows, dtype=bool)
        norm_values = np.empty((rows, length))
        tails = np.zeros(rows, dtype=np.int64)
    else:
        starts = np.asarray(norms[0], dtype=np.int64)
        values = np.asarray(norms[1], dtype=np.float64)
        # `bisect_right`: the norm in force on a day is the last to start on or before it.
        found = np.searchsorted(starts, days, side="right")
        norm_values = np.where(found > 0, values[np.maximum(found - 1, 0)], np.nan)
        # In date order the readings with a norm are a tail: the first `lead` have none.
        lead = (found == 0).sum(axis=1)
        without_norm = lead == length
        tails = lead
    # Without any norm in force, integratedness is progress and the fall is read off the
    # scores themselves.
    if without_norm.any():
        fall[without_norm] = _falls(scores[without_norm], threshold)
    for lead_count in np.unique(tails[~without_norm]).tolist():
        chosen = ~without_norm & (tails == lead_count)
        tail_days = days[chosen][:, lead_count:]
        tail_norms = norm_values[chosen][:, lead_count:]
        relative = scores[chosen][:, lead_count:] - tail_norms
        host_shift[chosen], _host_direction = _rates(tail_days, tail_norms, threshold)
        integratedness[chosen], direction[chosen] = _rates(tail_days, relative, threshold)
        fall[chosen] = _falls(relative, threshold)
    return integratedness, direction, fall, progress, host_shift


def _falls(relative: Floats, threshold: float) -> Floats:
    """The step between the last two values where it is a fall of at least `threshold`."""
    if relative.shape[1] < 2:
        return np.full(len(relative), np.nan)
    step = relative[:, -1] - relative[:, -2]
    return np.where((step < 0) & ~(np.abs(step) < threshold), step, np.nan)


def _rates(days: Ints, values: Floats, threshold: float) -> tuple[Floats, Ints]:
    """`trajectory.rate_of` of every row: the Theil–Sen slope in points a year (NaN for one
    distinct date) and the direction code of the change it implies over the period."""
    rows, length = days.shape
    slope = np.full(rows, np.nan)
    direction = np.full(rows, _NOT_ENOUGH, dtype=np.int64)
    if length < 2:
        return slope, direction
    years = (days - days[:, :1]) / DAYS_PER_YEAR
    first, second = np.triu_indices(length, 1)
    dx = years[:, second] - years[:, first]
    dy = values[:, second] - values[:, first]
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.where(dx != 0, dy / np.where(dx != 0, dx, 1.0), np.nan)
    slopes.sort(axis=1)  # NaN (pairs on one date) last
    count = (dx != 0).sum(axis=1)
    some = count > 0  # in date order: more than one distinct date
    at = np.arange(rows)
    low = np.maximum((count - 1) // 2, 0)
    high = count // 2
    high = np.minimum(high, slopes.shape[1] - 1)
    middle = (slopes[at, low] + slopes[at, high]) / 2
    slope[some] = middle[some]
    change = slope * years[:, -1]
    direction[some] = np.where(
        (change[some] == 0) | (np.abs(change[some]) < threshold),
        _NO_CLEAR,
        np.where(change[some] > 0, _IMPROVING, _DECLINING),
    )
    return slope, direction
