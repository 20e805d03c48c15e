"""The domain-score bar chart as SVG markup, from the geometry `charts.py` works out, and the
table of the same scores.

Written here rather than with template loops, which cost a person page more than half a
millisecond for its eleven bars: the same markup the templates wrote (`test_bar_chart_markup`
compares the two, with the templates as they were kept beside the test), numbers as the
template wrote them with localisation off, the scores through the `number` filter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from pathmark.core.numbers import number_filter

from .charts import BarChart

if TYPE_CHECKING:
    from .selectors import AssessmentResult


def bar_chart(
    chart: BarChart, chart_id: str, title: str | None = None, unscored: str | None = None
) -> SafeString:
    """The chart's `<figure>`, its SVG titled for a screen reader (the table after it has
    the same numbers): by default domain scores, else `title`, with `unscored` written where
    a bar has no score."""
    chart_id = escape(chart_id)
    if title is None:
        title = _("Domain scores from 0 to 100. The same numbers are in the table that follows.")
    parts = [
        f'<figure class="chart">\n<svg viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-labelledby="{chart_id}-title" direction="ltr" focusable="false">\n  '
        f'<title id="{chart_id}-title">{conditional_escape(title)}</title>\n  '
    ]
    add = parts.append
    for tick in chart.ticks:
        add(
            f'<line class="grid" x1="{tick.x}" x2="{tick.x}" y1="{tick.line_y1}" '
            f'y2="{tick.line_y2}"/>\n  <text x="{tick.x}" y="{tick.text_y}" '
            f'text-anchor="middle">{tick.value}</text>\n  '
        )
    add(
        f'<line class="axis" x1="{chart.axis_x}" x2="{chart.axis_x}" y1="{chart.axis_y1}" '
        f'y2="{chart.axis_y2}"/>\n  '
    )
    not_scored = conditional_escape(_("not scored") if unscored is None else unscored)
    for bar in chart.bars:
        value_text = (
            f'<text x="{bar.value_x}" y="{bar.text_y}" text-anchor="{escape(bar.value_anchor)}">'
        )
        add(
            f'<text x="{bar.label_x}" y="{bar.text_y}" text-anchor="{escape(bar.label_anchor)}">'
            f"{conditional_escape(bar.label)}</text>\n  "
        )
        if bar.is_scored:
            add(
                f'<rect class="bar" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
                f'height="{bar.height}"/>\n  {value_text}'
                f"{number_filter(bar.score, 1)}</text>\n  "
            )
        else:
            add(f"{value_text}{not_scored}</text>")
        add("\n  ")
    add("\n</svg>\n</figure>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def score_table(result: AssessmentResult, caption: str) -> SafeString:
    """The result's scores by area, then overall, as a table captioned `caption`."""
    not_scored = escape(_("Not scored: too few answers"))
    rows = "".join(
        f'\n    <tr><th scope="row" lang="{conditional_escape(domain.language)}">'
        f'{conditional_escape(domain.title)}</th><td class="number">'
        f"{not_scored if domain.score is None else number_filter(domain.score, 1)}</td></tr>\n  "
        for domain in result.domains
    )
    overall = "—" if result.overall is None else number_filter(result.overall, 1)
    return mark_safe(  # noqa: S308 - every text below is escaped
        f"<table>\n  <caption>{conditional_escape(caption)}</caption>\n  "
        f'<thead><tr><th scope="col">{escape(_("Area"))}</th><th scope="col" class="number">'
        f"{escape(_('Score (0 to 100)'))}</th></tr></thead>\n  <tbody>\n  {rows}\n  "
        f'</tbody>\n  <tfoot>\n    <tr><th scope="row">{escape(_("Overall"))}</th>'
        f'<td class="number">{overall}</td></tr>\n  </tfoot>\n</table>\n'
    )
