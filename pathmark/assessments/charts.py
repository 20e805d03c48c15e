"""Geometry of the horizontal bar chart of domain scores, drawn as SVG by a template.

Pure Python (no Django): the template only places the numbers computed here, so the chart
needs no JavaScript and no inline styles (the Content-Security-Policy forbids both). For
right-to-left pages the chart is mirrored here, because SVG coordinates do not follow `dir`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SCORE_MAX = 100.0
TICKS = (0, 25, 50, 75, 100)

WIDTH = 720
LABEL_WIDTH = 260
GAP = 8
PLOT_WIDTH = 400
ROW_HEIGHT = 32
BAR_HEIGHT = 20
TOP = 8
AXIS_SPACE = 28


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_anchor: str
    value_x: float
    value_anchor: str
    text_y: float

    @property
    def is_scored(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class Tick:
    value: int
    x: float
    line_y1: float
    line_y2: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    axis_x: float
    axis_y1: float
    axis_y2: float
    rtl: bool


# About the widest a character of the charts' 12 px sans-serif text is, on average.
CHAR_WIDTH = 7.2


def fit_label(text: str, width: float) -> str:
    """`text` as it fits in `width` units of a chart: whole, or cut with an ellipsis (the
    table beside every chart has the whole name)."""
    most = max(4, int(width // CHAR_WIDTH))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def domain_bar_chart(rows: Sequence[tuple[str, float | None]], *, rtl: bool = False) -> BarChart:
    """One bar per (label, score 0-100 or None); None draws no bar and says so in the table."""
    plot_start = LABEL_WIDTH + GAP
    plot_height = len(rows) * ROW_HEIGHT
    height = TOP + plot_height + AXIS_SPACE

    def place(x: float, width: float = 0.0) -> float:
        """Mirror an x (or a box starting at x) for right-to-left pages."""
        return WIDTH - x - width if rtl else x

    start, end = ("end", "start") if not rtl else ("start", "end")
    bars = []
    for index, (label, score) in enumerate(rows):
        row_top = TOP + index * ROW_HEIGHT
        # A score that is not a number (NaN) draws no bar, as a missing one does.
        clamped = (
            None
            if score is None or math.isnan(float(score))
            else min(max(float(score), 0.0), SCORE_MAX)
        )
        bar_width = 0.0 if clamped is None else clamped / SCORE_MAX * PLOT_WIDTH
        bars.append(
            Bar(
                label=fit_label(label, LABEL_WIDTH),
                score=score,
                x=round(place(plot_start, bar_width), 2),
                y=row_top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=round(bar_width, 2),
                height=BAR_HEIGHT,
                label_x=place(LABEL_WIDTH),
                label_anchor=start,
                value_x=round(place(plot_start + bar_width + 4), 2),
                value_anchor=end,
                text_y=row_top + ROW_HEIGHT / 2 + 4,
            )
        )
    ticks = tuple(
        Tick(
            value=value,
            x=round(place(plot_start + value / SCORE_MAX * PLOT_WIDTH), 2),
            line_y1=TOP,
            line_y2=TOP + plot_height,
            text_y=TOP + plot_height + 18,
        )
        for value in TICKS
    )
    return BarChart(
        width=WIDTH,
        height=height,
        bars=tuple(bars),
        ticks=ticks,
        axis_x=place(plot_start),
        axis_y1=TOP,
        axis_y2=TOP + plot_height,
        rtl=rtl,
    )
