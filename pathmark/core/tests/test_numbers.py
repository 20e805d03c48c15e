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


def test_numbers_remembered_by_their_rounding_read_as_djangos_floatformat_writes_them(settings):
    """`floatformat` keeps what it wrote by the figure Django rounds a number to (so that
    rates and gaps that round alike are written once): checked against Django's own filter
    for thousands of numbers of every size and sign, halves, whole numbers, Decimals and
    ints, every number of places, in both languages, with and without grouping."""
    import random
    from decimal import Decimal

    from django.template.defaultfilters import floatformat as django_floatformat
    from django.utils import translation

    from pathmark.core import numbers

    rng = random.Random(2026)
    values: list[object] = [0, 0.0, -0.0, 1, -1, 2.5, -2.5, 0.05, -0.05, 0.15, 2.675, 1e-7]
    values += [12345.678, -98765.4321, 1e15, 1e16 + 0.5, 100, 99.95, 99.94999, 10**20]
    values += [Decimal("2.50"), Decimal("-0.005"), Decimal("1E+3"), float("nan"), float("inf")]
    for _ in range(3000):
        magnitude = 10 ** rng.randint(-4, 7)
        values.append(round(rng.uniform(-magnitude, magnitude), rng.randint(0, 6)))
        values.append(rng.randint(-100_000, 100_000))
        values.append(rng.randint(0, 1000) / 20)  # halves and quarters on every step
    for grouping in (False, True):
        settings.USE_THOUSAND_SEPARATOR = grouping
        for language in ("en", "ar"):
            with translation.override(language):
                numbers._formatted.cache_clear()
                numbers._by_rounding.clear()
                for places in (-3, -2, -1, 0, 1, 2, 3, "2g", "u"):
                    for value in values:
                        expected = str(django_floatformat(value, places))
                        assert numbers.floatformat(value, places) == expected, (value, places)
    # The same figures again, now answered from what was kept.
    assert numbers._by_rounding
    with translation.override("ar"):
        for value in values[:500]:
            assert numbers.floatformat(value, 1) == str(django_floatformat(value, 1))
