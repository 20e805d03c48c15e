"""`{% url %}` and `{% translate %}` with what they work out kept (core/templatetags/kept_*.py)
draw exactly what Django's own tags draw, in every language, and keep nothing that could
change under the same key."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch
from django.utils import translation

from pathmark.core.templatetags import kept_i18n, kept_urls

# Django's engine as it is, beside the project's (which installs the kept tags).
DJANGOS = Engine(libraries={"i18n": "django.templatetags.i18n"})

LINKS = (
    '{% url "people:list" %}|{% url "people:detail" 7 %}|{% url "people:detail" person_id=12 %}'
    '|{% url "journeys:person" pk %}|{% url "site:home" %}|{% url "people:detail" text %}'
    '|{% url "people:list" as there %}[{{ there }}]|{% url "nowhere" as nothing %}[{{ nothing }}]'
)
PHRASES = (
    '{% load i18n %}{% translate "People" %}|{% trans "Directory" %}|{% translate word %}'
    '|{% translate "People" as kept %}[{{ kept }}]|{% translate "Change" noop %}'
    '|{% translate "Home" context "navigation" %}|{% translate "People"|upper %}'
    '|{% translate "100%% sure" %}'
)


def _both(source: str, values: dict[str, object]) -> tuple[str, str]:
    ours = engines["django"].from_string(source)
    theirs = DJANGOS.from_string(source)
    context = Context(values)
    context.request = RequestFactory().get("/")
    return ours.template.render(context), theirs.render(context)


@pytest.fixture(autouse=True)
def nothing_kept():  # type: ignore[no-untyped-def]
    kept_urls._urls.clear()
    kept_i18n._phrases.clear()
    yield
    kept_urls._urls.clear()
    kept_i18n._phrases.clear()


def test_the_projects_templates_use_the_kept_tags():
    engine = engines["django"].engine
    assert engine.template_libraries["i18n"] is kept_i18n.register
    assert engine.from_string('{% url "site:home" %}').nodelist[0].__class__ is (
        kept_urls.KeptURLNode
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_links_are_djangos_whatever_was_kept_before(language):
    values = {"pk": 31, "text": "41"}
    with translation.override(language):
        first = _both(LINKS, values)
        again = _both(LINKS, values)
        other = _both(LINKS, {"pk": 32, "text": "42"})
    assert first[0] == first[1] == again[0]
    assert "/people/7/" in first[0] and "[]" in first[0]
    assert other[0] == other[1] and "/32/" in other[0] and "/31/" not in other[0]


def test_a_link_made_from_an_object_is_not_kept():
    """An object is drawn through its text, which can change while it stays equal."""

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

    thing = Named("5")
    source = '{% url "people:detail" thing %}'
    assert _both(source, {"thing": thing})[0].endswith("/5/")
    thing.name = "6"
    ours, theirs = _both(source, {"thing": thing})
    assert ours == theirs and ours.endswith("/6/")


def test_a_missing_link_still_fails_as_djangos_does():
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string('{% url "people:detail" %}').render({})
    assert not kept_urls._urls


def test_links_are_kept_up_to_a_bound():
    source = '{% url "people:detail" pk %}'
    template = engines["django"].from_string(source)
    for pk in range(kept_urls.KEPT_URLS + 10):
        assert template.render({"pk": pk}) == f"/people/{pk}/"
    assert len(kept_urls._urls) <= kept_urls.KEPT_URLS


@pytest.mark.parametrize("language", ["en", "ar"])
def test_phrases_are_djangos_in_each_language(language):
    with translation.override(language):
        first = _both(PHRASES, {"word": "People"})
        again = _both(PHRASES, {"word": "Directory"})
        expected = DJANGOS.from_string(PHRASES).render(Context({"word": "Directory"}))
    assert first[0] == first[1]
    assert again[0] == expected
    assert first[0].split("|")[0] == ("People" if language == "en" else "الأشخاص")


def test_a_phrase_kept_in_one_language_is_not_shown_in_another():
    template = engines["django"].from_string('{% load i18n %}{% translate "People" %}')
    with translation.override("en"):
        assert template.render({}) == "People"
    with translation.override("ar"):
        assert template.render({}) == "الأشخاص"
    with translation.override("en"):
        assert template.render({}) == "People"


def test_no_other_template_library_shares_a_name():
    """What Django's check templates.W003 (silenced for the `i18n` replacement) looks for."""
    from collections import defaultdict

    from django.template.backends.django import get_template_tag_modules

    libraries = defaultdict(set)
    for name, module in get_template_tag_modules():
        libraries[name].add(module)
    for name, module in engines["django"].engine.libraries.items():
        libraries[name].add(module)
    shared = {name: modules for name, modules in libraries.items() if len(modules) > 1}
    assert shared == {"i18n": {"django.templatetags.i18n", "pathmark.core.templatetags.kept_i18n"}}
