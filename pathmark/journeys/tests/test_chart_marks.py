"""The journey chart's marks drawn in Python are the markup the template loops drew."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from pathmark.instruments.registry import get_instrument
from pathmark.journeys.charts import line_chart
from pathmark.journeys.presentation import chart_marks
from pathmark.journeys.trajectory import HostNorm, Point

# What `_line_chart.html` drew with template loops before the marks moved to Python.
TEMPLATE_LOOPS = (
    "{% load i18n l10n %}{% localize off %}"
    + """  {% for band in chart.stage_bands %}<rect class="{{ band.css }}" x="{{ band.x }}" y="{{ band.y }}" width="{{ band.width }}" height="{{ band.height }}"/>
  <text class="stage-label" x="{{ band.label_x }}" y="{{ band.label_y }}" text-anchor="{{ chart.label_anchor }}">{{ band.label }}</text>
  {% endfor %}{% for band in chart.norm_bands %}<rect class="{{ band.css }}" x="{{ band.x }}" y="{{ band.y }}" width="{{ band.width }}" height="{{ band.height }}"/>
  {% endfor %}{% for segment in chart.norm_lines %}<line class="{{ segment.css }}" x1="{{ segment.x1 }}" y1="{{ segment.y1 }}" x2="{{ segment.x2 }}" y2="{{ segment.y2 }}"/>
  {% endfor %}{% for tick in chart.y_ticks %}<line class="grid" x1="{{ chart.plot_left }}" x2="{{ chart.plot_right }}" y1="{{ tick.y }}" y2="{{ tick.y }}"/>
  <text x="{{ chart.tick_label_x }}" y="{{ tick.y }}" dy="4" text-anchor="{{ chart.tick_anchor }}">{{ tick.value }}</text>
  {% endfor %}{% for tick in chart.x_ticks %}<line class="grid" x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ chart.plot_bottom }}" y2="{{ chart.plot_bottom|add:4 }}"/>
  <text x="{{ tick.x }}" y="{{ chart.plot_bottom|add:18 }}" text-anchor="middle">{{ tick.on|date:"M Y" }}</text>
  {% endfor %}{% for change in chart.norm_changes %}<line class="norm-change" x1="{{ change.x }}" x2="{{ change.x }}" y1="{{ chart.plot_top }}" y2="{{ chart.plot_bottom }}"/>
  <text class="norm-change-label" x="{{ change.x }}" y="{{ change.label_y }}" dx="3">{% translate "norms changed" %} {{ change.on|date:"j M Y" }}</text>
  {% endfor %}{% for event in chart.events %}<line class="life-event" x1="{{ event.x }}" x2="{{ event.x }}" y1="{{ chart.plot_top }}" y2="{{ chart.plot_bottom }}"/>
  <circle class="life-event-marker" cx="{{ event.x }}" cy="{{ chart.plot_bottom|add:-9 }}" r="8"/><text class="life-event-number" x="{{ event.x }}" y="{{ chart.plot_bottom|add:-5 }}" text-anchor="middle">{{ event.number }}</text>
  {% endfor %}{% if chart.dots|length > 1 %}<polyline class="score-line" points="{{ chart.line }}"/>{% endif %}
  {% for dot in chart.dots %}<circle class="score-dot" cx="{{ dot.cx }}" cy="{{ dot.cy }}" r="4"/>
  {% endfor %}{% endlocalize %}"""
)


def charts():  # type: ignore[no-untyped-def]
    instrument = get_instrument("integration-journey")
    stages = instrument.stages
    labels = [f"<{stage.id}> & co" for stage in stages]  # escaped the same way
    norms = [HostNorm(date(2023, 1, 1), 55.0, 50.0, 61.5), HostNorm(date(2024, 2, 1), 58.25)]
    points = [
        Point(date(2023, 3, 4), 31.7, None, norms[0]),
        Point(date(2023, 9, 30), 44.0, None, norms[0]),
        Point(date(2024, 5, 17), 52.35, None, norms[1]),
    ]
    events = [(date(2023, 6, 1), "Moved home"), (date(2024, 1, 15), "Started work")]
    for rtl in (False, True):
        yield line_chart(
            points, norms=norms, stages=stages, stage_labels=labels, rtl=rtl, events=events
        )
    yield line_chart(points[:1], stages=stages, stage_labels=labels)
    yield line_chart([])


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_marks_are_what_the_template_drew(language):
    template = Template(TEMPLATE_LOOPS)
    with translation.override(language):
        for chart in charts():
            assert "  " + chart_marks(chart) == template.render(Context({"chart": chart}))
