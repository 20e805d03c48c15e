"""Numbers as the reader's language writes them, signs included.

Django's localisation gives the decimal separator of the page's language ("37,5" in Arabic);
every number a page shows goes through it, in templates (`{% load numbers %}`, `|number`) and
in sentences built in Python (`localized`), so a page never mixes "37.5" and "37,5".

A signed number ("-25,6", "+2,5") is wrapped in Unicode's left-to-right isolate: in a
right-to-left line the bidirectional algorithm would otherwise move the sign to the far side of
the digits and show "25,6-". The isolate keeps sign and digits together in either direction.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.template.defaultfilters import floatformat as django_floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"
SIGNS = ("-", "+", "\u2212")


@lru_cache(maxsize=8192)
def _formatted(
    value: object, kind: type, decimal_places: int | str, language: str | None, grouping: bool
) -> str:
    return str(django_floatformat(value, decimal_places))


def floatformat(value: object, decimal_places: int | str = -1) -> str:
    """Django's `floatformat`, remembered by value, its type (1 and 1.0 are equal keys but
    need not format alike), places, language and grouping: it rounds through `Decimal` and
    the language's number format, and a journey page writes four hundred numbers, mostly the
    same few dozen scores and norms."""
    try:
        return _formatted(
            value,
            type(value),
            decimal_places,
            get_language(),
            settings.USE_THOUSAND_SEPARATOR,
        )
    except TypeError:  # unhashable: not a number anyway, as floatformat will say
        return str(django_floatformat(value, decimal_places))


def isolated(text: str) -> str:
    """`text` kept in one piece, left to right, when it starts with a sign."""
    if text.startswith(SIGNS):
        return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def localized(value: float | int | Decimal, decimal_places: int | str = -1) -> str:
    """`value` in the current language's format, as the template filter `floatformat` rounds
    it (`decimal_places` 1 gives one decimal; -1 one decimal only when there is one)."""
    return isolated(str(floatformat(value, decimal_places)))


def signed(value: float | int | Decimal, decimal_places: int | str = -1) -> str:
    """With an explicit sign ("+2,5", "−1"), in the current language's format."""
    text = str(floatformat(abs(value), decimal_places))
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    return isolated(sign + text)


def number_filter(value: object, decimal_places: int | str = -1) -> SafeString | str:
    """The template filter `number`: `floatformat` that keeps a negative number's sign with
    its digits in right-to-left pages. Empty for an empty value, as `floatformat`."""
    text = floatformat(value, decimal_places)
    return mark_safe(isolated(str(text))) if text else text  # noqa: S308 - floatformat's output is safe
