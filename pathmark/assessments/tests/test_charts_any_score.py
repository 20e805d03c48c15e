"""The bar chart of domain scores draws for any stored score, even one that is not a number."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from pathmark.assessments.charts import WIDTH, domain_bar_chart


@given(
    rows=st.lists(
        st.tuples(st.text(max_size=20), st.none() | st.floats(allow_nan=True)), max_size=10
    ),
    rtl=st.booleans(),
)
def test_every_bar_stays_on_the_canvas(rows, rtl):
    chart = domain_bar_chart(rows, rtl=rtl)
    for bar in chart.bars:
        for value in (bar.x, bar.width, bar.value_x):
            assert math.isfinite(value) and -1 <= value <= WIDTH + 1
