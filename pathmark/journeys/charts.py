"""Geometry of a journey's line chart (score over time, with the stage bands and the host-norm
band in force at each date), drawn as SVG by a template.

Pure Python (no Django): the template only places the numbers computed here, so the chart needs
no JavaScript and no inline styles (the Content-Security-Policy forbids both). For right-to-left
pages the time axis is mirrored here, because SVG coordinates do not follow `dir`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pathmark.instruments.definition import Stage

from .trajectory import HostNorm, Point

WIDTH = 720
HEIGHT = 260
LEFT = 44
RIGHT = 150
TOP = 12
BOTTOM = 34
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
Y_TICKS = (0, 25, 50, 75, 100)
FIRST_DAY = date.min.toordinal()
LAST_DAY = date.max.toordinal()
# Steps between ticks on the time axis, in months: about four to eight ticks fit the axis.
MONTH_STEPS = (1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000, 24000, 60000, 120000)


@dataclass(frozen=True)
class Band:
    """A horizontal stage band or one dated piece of the norm band."""

    x: float
    y: float
    width: float
    height: float
    css: str
    label: str = ""
    label_x: float = 0.0
    label_y: float = 0.0


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Dot:
    cx: float
    cy: float
    score: float
    assessed_on: date


@dataclass(frozen=True)
class XTick:
    on: date
    x: float


@dataclass(frozen=True)
class YTick:
    value: int
    y: float


@dataclass(frozen=True)
class NormChange:
    on: date
    x: float
    label_y: float


@dataclass(frozen=True)
class EventMark:
    """A life event on the time axis: a numbered marker that the list under the chart names."""

    number: int
    on: date
    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    stage_bands: tuple[Band, ...]
    norm_bands: tuple[Band, ...]
    norm_lines: tuple[Segment, ...]
    norm_changes: tuple[NormChange, ...]
    line: str
    """SVG `points` of the polyline through the scores."""
    dots: tuple[Dot, ...]
    x_ticks: tuple[XTick, ...]
    y_ticks: tuple[YTick, ...]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    label_anchor: str
    tick_label_x: float
    tick_anchor: str
    rtl: bool
    events: tuple[EventMark, ...] = ()


def line_chart(
    points: Sequence[Point],
    *,
    norms: Sequence[HostNorm] = (),
    stages: Sequence[Stage] = (),
    stage_labels: Sequence[str] = (),
    as_of: date | None = None,
    rtl: bool = False,
    events: Sequence[tuple[date, str]] = (),
) -> LineChart:
    """The chart of one series. The time axis runs from a little before the first reading to a
    little after the last one (or `as_of`, so a recent change of norms is visible)."""
    # Ordinals, not dates, and clamped to the calendar: a stored date of year 1 or 9999 (a
    # slip kept from before the date rules, or a file loaded around them) must still draw,
    # never overflow. The points may come in any order and on equal dates.
    if points:
        first = min(point.assessed_on for point in points).toordinal()
        last = max(point.assessed_on for point in points).toordinal()
        if as_of is not None:
            last = max(last, as_of.toordinal())
    else:
        first = last = (as_of or date.today()).toordinal()
    pad = max(30, (last - first) // 20)
    start_day = max(FIRST_DAY, first - pad)
    end_day = min(LAST_DAY, last + pad)
    start, end = date.fromordinal(start_day), date.fromordinal(end_day)
    days = max(1, end_day - start_day)

    def x_of(on: date) -> float:
        return _x_of(on, start_day, days, rtl)

    y_of = _y_of
    left_x, right_x, stage_bands, x_ticks, y_ticks = _frame(
        start_day,
        end_day,
        rtl,
        tuple((stage.id, stage.min_score, stage.max_score) for stage in stages),
        tuple(stage_labels),
    )

    norm_bands: list[Band] = []
    norm_lines: list[Segment] = []
    for index, norm in enumerate(norms):
        until = norms[index + 1].valid_from if index + 1 < len(norms) else end
        piece_start, piece_end = max(norm.valid_from, start), min(until, end)
        if piece_end <= piece_start:
            continue
        x1, x2 = sorted((x_of(piece_start), x_of(piece_end)))
        if norm.low is not None and norm.high is not None:
            top, bottom = sorted((y_of(norm.high), y_of(norm.low)))
            norm_bands.append(
                Band(
                    x=x1,
                    y=top,
                    width=round(x2 - x1, 2),
                    height=round(bottom - top, 2),
                    css="norm-band",
                )
            )
        norm_lines.append(Segment(x1, y_of(norm.value), x2, y_of(norm.value), "norm-line"))
    norm_changes = tuple(
        NormChange(norm.valid_from, x_of(norm.valid_from), TOP + 10)
        for norm in norms[1:]
        if start < norm.valid_from < end
    )
    dots = tuple(
        Dot(x_of(point.assessed_on), y_of(point.score), point.score, point.assessed_on)
        for point in points
    )
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        stage_bands=stage_bands,
        norm_bands=tuple(norm_bands),
        norm_lines=tuple(norm_lines),
        norm_changes=norm_changes,
        line=" ".join(f"{dot.cx},{dot.cy}" for dot in dots),
        dots=dots,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        plot_left=left_x,
        plot_right=right_x,
        plot_top=TOP,
        plot_bottom=TOP + PLOT_HEIGHT,
        label_anchor="start" if not rtl else "end",
        tick_label_x=(LEFT - 6) if not rtl else (WIDTH - LEFT + 6),
        tick_anchor="end" if not rtl else "start",
        rtl=rtl,
        events=tuple(
            EventMark(number, on, x_of(on), label)
            for number, (on, label) in enumerate(sorted(events), start=1)
            if start <= on <= end
        ),
    )


def _x_of(on: date, start_day: int, days: int, rtl: bool) -> float:
    x = LEFT + (on.toordinal() - start_day) / days * PLOT_WIDTH
    return round(WIDTH - x if rtl else x, 2)


def _y_of(score: float) -> float:
    return round(TOP + (1 - _clamped(score) / 100) * PLOT_HEIGHT, 2)


@lru_cache(maxsize=512)
def _frame(
    start_day: int,
    end_day: int,
    rtl: bool,
    stages: tuple[tuple[str, float, float], ...],
    stage_labels: tuple[str, ...],
) -> tuple[float, float, tuple[Band, ...], tuple[XTick, ...], tuple[YTick, ...]]:
    """What every chart of one time span and one instrument's stages has alike (the plot's
    edges, the stage bands, the ticks), worked out once: a journey page draws up to fifteen
    charts over the same dates."""
    days = max(1, end_day - start_day)
    start, end = date.fromordinal(start_day), date.fromordinal(end_day)

    def x_of(on: date) -> float:
        return _x_of(on, start_day, days, rtl)

    y_of = _y_of
    left_x, right_x = sorted((x_of(start), x_of(end)))
    label_x = (WIDTH - RIGHT + 6) if not rtl else (RIGHT - 6)
    stage_bands = tuple(
        Band(
            x=left_x,
            y=y_of(high),
            width=round(right_x - left_x, 2),
            height=round(y_of(low) - y_of(high), 2),
            css=f"stage-band stage-{index % 5}",
            label=stage_labels[index] if index < len(stage_labels) else stage_id,
            label_x=label_x,
            label_y=round((y_of(low) + y_of(high)) / 2 + 4, 2),
        )
        for index, (stage_id, low, high) in enumerate(stages)
    )
    x_ticks = tuple(XTick(on, x_of(on)) for on in _time_ticks(start, end))
    y_ticks = tuple(YTick(value, y_of(value)) for value in Y_TICKS)
    return left_x, right_x, stage_bands, x_ticks, y_ticks


def _clamped(score: float) -> float:
    """A score on the 0-100 axis; anything not a number sits at 0 rather than breaking."""
    if math.isnan(score):
        return 0.0
    return min(max(score, 0.0), 100.0)


def _time_ticks(start: date, end: date) -> list[date]:
    """First days of months (or of years, for long spans), spaced so that about four to eight
    fit the axis, strictly between `start` and `end`. Any span the calendar holds is fine: the
    ticks are counted in months from year 1, not walked month by month."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = next((s for s in MONTH_STEPS if months / s <= 8), MONTH_STEPS[-1])
    after_start = start.year * 12 + start.month  # the month after start's, counted from year 0
    index = -(-after_start // step) * step  # the first month from there that is on the step
    ticks: list[date] = []
    while True:
        year, month = divmod(index, 12)
        if year > date.max.year:
            return ticks
        on = date(year, month + 1, 1)
        if on >= end:
            return ticks
        if on > start:
            ticks.append(on)
        index += step
