"""The journey chart draws for any dates the database can hold: year 1, year 9999, equal
dates, dates out of order, norms from any date, and scores that are not numbers."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from pathmark.instruments.definition import Stage
from pathmark.journeys.charts import HEIGHT, WIDTH, line_chart
from pathmark.journeys.trajectory import HostNorm, Point

any_date = st.dates(min_value=date.min, max_value=date.max)
edge_dates = st.sampled_from([date.min, date(1, 1, 31), date(9999, 12, 1), date.max])
dates = any_date | edge_dates
scores = st.floats(allow_nan=True, allow_infinity=True)
points = st.lists(
    st.builds(Point, assessed_on=dates, score=scores, stage=st.none(), host_norm=st.none()),
    max_size=6,
)
norms = st.lists(
    st.builds(HostNorm, valid_from=dates, value=scores, low=st.none() | scores, high=scores),
    max_size=3,
).map(lambda found: sorted(found, key=lambda norm: norm.valid_from))
STAGES = (
    Stage("low", {"en": "Low"}, {}, 0, 50),
    Stage("high", {"en": "High"}, {}, 50, 100),
)


def _inside(x: float, limit: float) -> bool:
    return math.isfinite(x) and -1 <= x <= limit + 1


@given(points=points, norms=norms, as_of=st.none() | dates, rtl=st.booleans())
def test_every_coordinate_is_a_finite_number_on_the_canvas(points, norms, as_of, rtl):
    chart = line_chart(
        sorted(points, key=lambda p: p.assessed_on),
        norms=norms,
        stages=STAGES,
        as_of=as_of,
        rtl=rtl,
    )
    for dot in chart.dots:
        assert _inside(dot.cx, WIDTH) and _inside(dot.cy, HEIGHT)
    for tick in chart.x_ticks:
        assert _inside(tick.x, WIDTH)
    assert len(chart.x_ticks) <= 12
    for band in (*chart.stage_bands, *chart.norm_bands):
        assert _inside(band.x, WIDTH) and _inside(band.y, HEIGHT)
        assert band.width >= 0 and band.height >= 0
    for line in chart.norm_lines:
        assert all(_inside(v, WIDTH) for v in (line.x1, line.x2, line.y1, line.y2))


def test_one_reading_on_the_first_day_of_the_calendar_draws():
    chart = line_chart([Point(date.min, 40.0, None, None)], stages=STAGES)
    assert chart.dots[0].cx >= 0


def test_two_readings_on_the_same_day_draw_on_one_vertical():
    on = date(2025, 3, 1)
    chart = line_chart([Point(on, 40.0, None, None), Point(on, 60.0, None, None)])
    assert chart.dots[0].cx == chart.dots[1].cx
