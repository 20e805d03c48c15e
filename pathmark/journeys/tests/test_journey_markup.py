"""The journey page's summary rows and series sections written in Python are the markup its
template loops wrote (kept beside this test, with `_line_chart.html` as it was)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from pathmark.journeys.presentation import series_sections, summary_rows
from pathmark.journeys.tests.test_series_table import journey_views

HERE = Path(__file__).parent


def _template(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8").removesuffix("\n")


ENGINE = Engine(
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {
                "rows": _template("journey_rows_template.html"),
                "sections": _template("journey_sections_template.html"),
                # Its trailing newline is part of what the include wrote.
                "line_chart": (HERE / "line_chart_template.html").read_text(encoding="utf-8"),
            },
        )
    ],
    libraries={
        "i18n": "django.templatetags.i18n",
        "l10n": "django.templatetags.l10n",
        "numbers": "pathmark.core.templatetags.numbers",
    },
)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_rows_and_sections_are_what_the_template_drew(language):
    rows, sections = ENGINE.get_template("rows"), ENGINE.get_template("sections")
    seen = {"events": 0, "no events": 0, "band": 0, "no band": 0, "single": 0}
    with translation.override(language):
        for journey in journey_views(language):
            context = Context({"journey": journey})
            assert summary_rows(journey) == rows.render(context)
            assert series_sections(journey) == sections.render(context)
            for view in journey.all:
                seen["events" if view.chart.events else "no events"] += 1
                seen["band" if view.band else "no band"] += 1
                seen["single"] += len(view.series.points) == 1
    # Every branch of the markup was compared at least once.
    assert all(seen.values()), seen
