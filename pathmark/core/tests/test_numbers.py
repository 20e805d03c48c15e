"""Numbers in the reader's format, with signs that stay before their digits."""

from django.template import Context, Template
from django.utils import translation

from pathmark.core.numbers import localized, signed

LRI, PDI = "\u2066", "\u2069"


def test_localized_uses_the_languages_decimal_separator():
    with translation.override("ar"):
        assert localized(37.5, 1) == "37,5"
    with translation.override("en"):
        assert localized(37.5, 1) == "37.5"


def test_a_negative_number_is_isolated_left_to_right():
    with translation.override("ar"):
        assert localized(-25.63, 1) == f"{LRI}-25,6{PDI}"
        assert signed(2.5, 1) == f"{LRI}+2,5{PDI}"
        assert signed(0, 0) == "0"


def test_the_number_filter_matches_floatformat_and_isolates_negatives():
    template = Template("{% load numbers %}{{ a|number:1 }} {{ b|number:1 }} {{ c|number:1 }}")
    with translation.override("ar"):
        rendered = template.render(Context({"a": 37.5, "b": -25.63, "c": None}))
    assert rendered == f"37,5 {LRI}-25,6{PDI} "


def test_a_number_remembered_in_one_language_is_written_anew_in_another(settings):
    """`floatformat` is remembered by value, type, places, language and grouping: what it gave
    for one page's language or setting is never reused for another."""
    from decimal import Decimal

    from django.template.defaultfilters import floatformat as django_floatformat

    from pathmark.core.numbers import floatformat

    values = [37.5, 37, Decimal("37.50"), 1234567.25, True, "12.35", "not a number", -0.04]
    for grouping in (False, True):
        settings.USE_THOUSAND_SEPARATOR = grouping
        for language in ("en", "ar", "en"):
            with translation.override(language):
                for value in values:
                    for places in (-1, 0, 1, 2, "2g"):
                        expected = str(django_floatformat(value, places))
                        assert floatformat(value, places) == expected, (value, places)
    with translation.override("ar"):
        assert floatformat([1], 1) == str(django_floatformat([1], 1))  # unhashable
