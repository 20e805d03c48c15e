"""The self-reflection summary: a person's journey in plain words, in their language, for the
printout a caseworker hands over and for the client's own page."""

from __future__ import annotations

from django.utils import translation

from pathmark.assessments.text import direction

from . import selectors
from .presentation import journey_view, reflection_words


def reflection_context(found: selectors.PersonJourneys, language: str) -> dict[str, object]:
    """What `journeys/_reflection.html` needs to print a person's journey in `language`.

    Only the printout is in the person's language: its words are made here under
    `translation.override` and the template sets its text in `{% language %}`, while the page
    around it (navigation, the caseworker's own controls) stays in the reader's language."""
    with translation.override(language):
        marks = selectors.event_marks(selectors.life_events_of(found.person))
        views = [
            journey_view(
                journey,
                norms=found.norms_of(journey),
                as_of=found.as_of,
                language=language,
                events=marks,
            )
            for journey in found.journeys
        ]
        areas = [
            [{"view": series, "words": reflection_words(series.series)} for series in view.all]
            for view in views
        ]
    return {
        "journeys": list(zip(views, areas, strict=True)),
        "summary_language": language,
        "summary_direction": direction(language),
    }
