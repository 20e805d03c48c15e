"""The form widgets come from Django's Jinja2 templates (`FORM_RENDERER`): for every kind of
field our forms use, bound and unbound, with errors, in English and Arabic, they are the
markup Django's own template language draws, but for line breaks and blank lines."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import DjangoTemplates, Jinja2, get_default_renderer
from django.utils import translation

from pathmark.assessments.forms import DomainAnswersForm, StartAssessmentForm
from pathmark.instruments.registry import get_instrument
from pathmark.journeys.forms import LifeEventForm
from pathmark.people.forms import PersonForm
from pathmark.privacy.forms import RestrictForm


def _markup(form) -> list[str]:  # type: ignore[no-untyped-def]
    drawn = [str(field) + str(field.errors) for field in form]
    drawn.append(str(form.non_field_errors()))
    # Whitespace as a browser reads it (runs of it are one space, none between tags), and an
    # apostrophe escaped the one way (Jinja2 writes &#39;, Django &#x27;, the same character).
    return [
        re.sub(r">\s+<", "><", re.sub(r"\s+", " ", text)).strip().replace("&#39;", "&#x27;")
        for text in drawn
    ]


FORMS = [
    lambda renderer, data: StartAssessmentForm(data, renderer=renderer),
    lambda renderer, data: LifeEventForm(data, renderer=renderer),
    lambda renderer, data: PersonForm(data, renderer=renderer),
    # A questionnaire's part: radios, checkboxes, numbers and text, many of them.
    lambda renderer, data: DomainAnswersForm(
        data,
        renderer=renderer,
        instrument=get_instrument("integration-journey"),
        domain=get_instrument("integration-journey").domains[0],
        language=translation.get_language(),
    ),
    lambda renderer, data: RestrictForm(data, renderer=renderer),
]


def test_the_setting_chooses_the_jinja2_renderer():
    assert isinstance(get_default_renderer(), Jinja2)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("make", FORMS)
def test_widgets_are_what_the_template_language_drew(make, language, db):
    bad = {"date_of_birth": "31/02/1990", "occurred_on": "soon", "name": "", "kind": "nonsense"}
    with translation.override(language):
        for data in (None, bad):
            ours = _markup(make(Jinja2(), data))
            djangos = _markup(make(DjangoTemplates(), data))
            assert ours == djangos
            assert any("<select" in text or "<input" in text for text in ours)
