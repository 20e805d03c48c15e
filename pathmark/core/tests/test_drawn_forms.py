"""An unfilled form's fields are drawn once per everything their markup depends on, and are
then exactly what drawing them again would give; a filled-in form is always drawn anew."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation

from pathmark.core import forms as core_forms
from pathmark.journeys.forms import LifeEventForm
from pathmark.people.models import Person
from pathmark.selfservice.forms import IssueLinkForm

LOOP = engines["django"].from_string(
    '{% for field in form %}{% include "includes/field.html" %}{% endfor %}'
)


def _drawn_anew(form) -> str:  # type: ignore[no-untyped-def]
    return LOOP.render({"form": form})


@pytest.fixture
def draws(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times fields were drawn rather than reused."""
    count = [0]
    draw = core_forms._draw

    def counted(form):  # type: ignore[no-untyped-def]
        count[0] += 1
        return draw(form)

    monkeypatch.setattr(core_forms, "_draw", counted)
    core_forms._drawn.clear()
    return count


def _person(**fields) -> Person:  # type: ignore[no-untyped-def]
    return Person(name="Synthetic Person", **fields)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_unfilled_form_is_drawn_once_and_is_what_the_template_draws(language, draws):
    people = [
        _person(preferred_language="ar"),
        _person(preferred_language="fa", email="someone@example.org"),
        _person(preferred_language="xx", phone="+447700900123"),
        _person(preferred_language="ar", email="a@example.org", phone="+447700900124"),
    ]
    with translation.override(language):
        for person in people * 2:
            form = IssueLinkForm(person=person)
            assert form.drawn_fields == _drawn_anew(form)
        for _ in range(3):
            form = LifeEventForm()
            assert form.drawn_fields == _drawn_anew(form)
    # Each different client-link form once (its first language and ways of sending differ),
    # the life event form once.
    assert draws[0] == len(people) + 1


def test_the_same_form_in_another_language_is_drawn_in_it(draws):
    with translation.override("en"):
        english = LifeEventForm().drawn_fields
    with translation.override("ar"):
        arabic = LifeEventForm().drawn_fields
        assert arabic == _drawn_anew(LifeEventForm())
    assert english != arabic and "التاريخ" in arabic
    assert draws[0] == 2


def test_a_filled_in_form_is_drawn_each_time_with_what_was_typed_and_its_errors(draws):
    typed = {"occurred_on": "not a date", "kind": "moved_home", "note": "<b>moved</b>"}
    for _ in range(2):
        form = LifeEventForm(typed)
        assert not form.is_valid()
        drawn = form.drawn_fields
        assert drawn == _drawn_anew(form)
        assert "&lt;b&gt;moved&lt;/b&gt;" in drawn and 'class="error"' in drawn
    assert draws[0] == 2
