"""Bar chart geometry: bars proportional to scores, no bar for an unscored domain, mirrored
for right-to-left pages."""

from __future__ import annotations

from pathmark.assessments.charts import GAP, LABEL_WIDTH, PLOT_WIDTH, WIDTH, domain_bar_chart


def test_bar_width_is_proportional_to_the_score():
    chart = domain_bar_chart(
        [("Economic stability", 50.0), ("Social networks", 100.0), ("Health", 0.0)]
    )
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH / 2, PLOT_WIDTH, 0]
    assert {bar.x for bar in chart.bars} == {LABEL_WIDTH + GAP}


def test_an_unscored_domain_has_no_bar():
    (bar,) = domain_bar_chart([("Health", None)]).bars
    assert not bar.is_scored
    assert bar.width == 0


def test_rows_stack_without_overlapping():
    chart = domain_bar_chart([(str(n), 10.0 * n) for n in range(7)])
    tops = [bar.y for bar in chart.bars]
    assert tops == sorted(tops)
    assert all(
        after - before >= chart.bars[0].height
        for before, after in zip(tops, tops[1:], strict=False)
    )
    assert chart.height > tops[-1] + chart.bars[-1].height


def test_right_to_left_chart_is_mirrored():
    ltr = domain_bar_chart([("a", 25.0)]).bars[0]
    rtl_chart = domain_bar_chart([("a", 25.0)], rtl=True)
    rtl = rtl_chart.bars[0]
    assert rtl.x + rtl.width == WIDTH - ltr.x
    assert rtl.label_x == WIDTH - ltr.label_x
    assert (ltr.label_anchor, rtl.label_anchor) == ("end", "start")
    assert [tick.x for tick in rtl_chart.ticks] == [
        WIDTH - tick.x for tick in domain_bar_chart([("a", 1.0)]).ticks
    ]


def test_scores_outside_the_range_are_clamped():
    high, low = domain_bar_chart([("a", 140.0), ("b", -5.0)]).bars
    assert high.width == PLOT_WIDTH
    assert low.width == 0


def test_a_long_label_is_cut_to_fit_the_label_column_and_a_short_one_kept():
    from pathmark.assessments.charts import LABEL_WIDTH, fit_label

    long = "Vocational courses and qualifications check"
    fitted = fit_label(long, LABEL_WIDTH)
    assert fitted.endswith("…") and long.startswith(fitted[:-1])
    assert len(fitted) * 7.2 <= LABEL_WIDTH
    assert fit_label("Housing", LABEL_WIDTH) == "Housing"
    chart = domain_bar_chart([(long, 50.0)])
    assert chart.bars[0].label == fitted
