"""A series' table written in Python is the markup the template loops wrote."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from pathmark.instruments.registry import get_instrument
from pathmark.journeys.presentation import journey_view, series_table
from pathmark.journeys.trajectory import HostNorm, ScoredAssessment, journey_of

# What `_series_table.html` drew before the table moved to Python.
TEMPLATE = (Path(__file__).parent / "series_table_template.html").read_text(encoding="utf-8")


def journey_views(language: str):  # type: ignore[no-untyped-def]
    """Journeys with and without life events, stage changes, norm changes, readings above
    and below the norm, a missing domain and a single reading, with hostile labels."""
    instrument = get_instrument("integration-journey")
    domains = [domain.id for domain in instrument.domains]
    readings = [
        (date(2023, 3, 4), 31.75, 20.0),
        (date(2023, 9, 30), 44.0, 35.5),
        (date(2024, 5, 17), 62.35, 18.25),
        (date(2025, 2, 1), 58.0, 71.0),
    ]
    assessments = [
        ScoredAssessment(on, {**dict.fromkeys(domains, other), domains[0]: None}, overall)
        for on, overall, other in readings
    ]
    norms = {
        "overall": [HostNorm(date(2023, 1, 1), 55.0, 50.0, 61.5), HostNorm(date(2024, 2, 1), 44.0)],
        domains[1]: [HostNorm(date(2023, 6, 1), 35.5)],
    }
    events = [
        (date(2023, 6, 1), "Moved home <b> & co"),
        (date(2023, 7, 15), "Started work"),
        (date(2024, 1, 15), "بدأ العمل"),
    ]
    for with_events in (events, ()):
        journey = journey_of(instrument, assessments, norms=norms, as_of=date(2025, 6, 1))
        view = journey_view(
            journey, norms=norms, as_of=date(2025, 6, 1), language=language, events=with_events
        )
        yield view
    single = journey_of(instrument, assessments[:1], as_of=date(2025, 6, 1))
    yield journey_view(single, norms={}, as_of=date(2025, 6, 1), language=language)


def views(language: str):  # type: ignore[no-untyped-def]
    for journey in journey_views(language):
        yield from journey.all


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_table_is_what_the_template_drew(language):
    template = Template(TEMPLATE)
    seen = {"events": 0, "transitions": 0, "norm changes": 0, "below": 0, "above": 0}
    with translation.override(language):
        for view in views(language):
            assert series_table(view) == template.render(Context({"series": view}))
            seen["events"] += bool(view.events)
            seen["transitions"] += bool(view.transitions)
            seen["norm changes"] += bool(view.norm_change_rows)
            seen["below"] += any(row["below"] for row in view.rows)
            seen["above"] += any(row["above"] for row in view.rows)
    # Every part of the table was compared at least once.
    assert all(seen.values()), seen
