"""Numbers as the reader's language writes them, signs included.

Django's localisation gives the decimal separator of the page's language ("37,5" in Arabic);
every number a page shows goes through it, in templates (`{% load numbers %}`, `|number`) and
in sentences built in Python (`localized`), so a page never mixes "37.5" and "37,5".

A signed number ("-25,6", "+2,5") is wrapped in Unicode's left-to-right isolate: in a
right-to-left line the bidirectional algorithm would otherwise move the sign to the far side of
the digits and show "25,6-". The isolate keeps sign and digits together in either direction.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, getcontext
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
    rounding = _rounding(value, decimal_places)
    if rounding is None:
        return str(django_floatformat(value, decimal_places))
    key = (rounding, language, grouping)
    text = _by_rounding.get(key)
    if text is None:
        text = str(django_floatformat(value, decimal_places))
        if len(_by_rounding) >= _BY_ROUNDING_KEPT:
            _by_rounding.clear()
        _by_rounding[key] = text
    return text


# Django's `floatformat` writes a number from what it rounds it to and nothing else; the
# numbers a journey page shows (rates, gaps, norms) are mostly different floats that round to
# the same few hundred figures, each costing the filter about 9 microseconds to write.
_by_rounding: dict[tuple[object, str | None, bool], str] = {}
_BY_ROUNDING_KEPT = 50_000


def _rounding(value: object, decimal_places: int | str) -> tuple[object, ...] | None:
    """What Django's `floatformat(value, decimal_places)` writes `value` from, computed as it
    does: the whole number, when `value` is one and no decimals are forced, otherwise `value`
    rounded half up to that many places. None where the filter does anything else (a format
    suffix such as "2g", text, infinities, very long numbers), so that it is asked itself."""
    if type(value) not in (int, float, Decimal) or isinstance(decimal_places, str):
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return None
    _sign, digits, exponent = number.as_tuple()
    if len(digits) + abs(int(exponent)) > 200:
        return None
    places = int(decimal_places)
    whole = number == number.to_integral_value()
    if whole and places <= 0:
        return ("whole", int(number))
    units = len(digits) + (-int(exponent) if not whole else int(exponent))
    precision = max(getcontext().prec, abs(places) + units + 1)
    rounded = number.quantize(
        Decimal(1).scaleb(-abs(places)), ROUND_HALF_UP, Context(prec=precision)
    )
    return ("rounded", abs(places), rounded.as_tuple())


def floatformat(value: object, decimal_places: int | str = -1) -> str:
    """Django's `floatformat`, remembered by value, its type (1 and 1.0 are equal keys but
    need not format alike), places, language and grouping: it rounds through `Decimal` and
    the language's number format, and a journey page writes four hundred numbers, mostly the
    same few dozen scores and norms."""
    return floatformat_in(get_language(), value, decimal_places)


def floatformat_in(language: str | None, value: object, decimal_places: int | str = -1) -> str:
    """`floatformat` for a caller that has already asked which language is active (as a page
    writing hundreds of numbers does once): `language` must be the active one."""
    try:
        return _formatted(
            value, type(value), decimal_places, language, settings.USE_THOUSAND_SEPARATOR
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
