"""Geometry of the reports' interval chart (an estimate as a dot, its 95 % interval as a line,
zero marked), drawn as SVG by a template: no JavaScript, no inline styles, mirrored here for
right-to-left pages. Pure Python (no Django).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pathmark.assessments.charts import fit_label

WIDTH = 720
LABEL_WIDTH = 300
GAP = 8
PLOT_WIDTH = 380
ROW_HEIGHT = 28
TOP = 8
AXIS_SPACE = 28


@dataclass(frozen=True)
class IntervalMark:
    label: str
    estimate: float | None
    dot_x: float
    low_x: float
    high_x: float
    y: float
    label_x: float
    label_anchor: str
    text_y: float

    @property
    def is_estimated(self) -> bool:
        return self.estimate is not None


@dataclass(frozen=True)
class Tick:
    value: float
    x: float
    text_y: float


@dataclass(frozen=True)
class IntervalChart:
    width: int
    height: int
    marks: tuple[IntervalMark, ...]
    ticks: tuple[Tick, ...]
    zero_x: float
    top: float
    bottom: float


def _extent(rows: Sequence[tuple[str, float | None, float | None, float | None]]) -> float:
    largest = max(
        (abs(v) for _label, *values in rows for v in values if v is not None), default=1.0
    )
    step = 10 ** math.floor(math.log10(largest)) if largest > 0 else 1.0
    return max(math.ceil(largest / step) * step, 1.0)


def interval_chart(
    rows: Sequence[tuple[str, float | None, float | None, float | None]], *, rtl: bool = False
) -> IntervalChart:
    """One mark per (label, estimate, low, high); a row without an estimate draws no mark (its
    table row says why). The scale is symmetric around zero."""
    extent = _extent(rows)
    plot_start = LABEL_WIDTH + GAP
    plot_height = len(rows) * ROW_HEIGHT

    def x_of(value: float) -> float:
        x = plot_start + (value + extent) / (2 * extent) * PLOT_WIDTH
        return round(WIDTH - x if rtl else x, 2)

    label_x = WIDTH - LABEL_WIDTH if rtl else LABEL_WIDTH
    anchor = "start" if rtl else "end"
    marks = []
    for index, (label, estimate, low, high) in enumerate(rows):
        middle = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        marks.append(
            IntervalMark(
                label=fit_label(label, LABEL_WIDTH),
                estimate=None if estimate is None else round(estimate, 1),
                dot_x=x_of(estimate) if estimate is not None else 0.0,
                low_x=x_of(low) if low is not None else 0.0,
                high_x=x_of(high) if high is not None else 0.0,
                y=middle,
                label_x=label_x,
                label_anchor=anchor,
                text_y=middle + 4,
            )
        )
    ticks = tuple(
        Tick(value=value, x=x_of(value), text_y=TOP + plot_height + 18)
        for value in (-extent, -extent / 2, 0.0, extent / 2, extent)
    )
    return IntervalChart(
        width=WIDTH,
        height=TOP + plot_height + AXIS_SPACE,
        marks=tuple(marks),
        ticks=ticks,
        zero_x=x_of(0.0),
        top=TOP,
        bottom=TOP + plot_height,
    )
