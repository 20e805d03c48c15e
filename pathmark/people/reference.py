"""Country and language names (ISO 3166-1 and ISO 639-1) in the reader's language."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language


@cache
def _translator(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _translator("iso3166-1", language)
    return tuple(
        sorted(
            ((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries),
            key=lambda pair: pair[1].casefold(),
        )
    )


@cache
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _translator("iso639-3", language)
    return tuple(
        sorted(
            (
                (lang.alpha_2, names.gettext(lang.name))
                for lang in pycountry.languages
                if hasattr(lang, "alpha_2")
            ),
            key=lambda pair: pair[1].casefold(),
        )
    )


def country_choices() -> tuple[tuple[str, str], ...]:
    return _country_choices(get_language() or "en")


def language_choices() -> tuple[tuple[str, str], ...]:
    return _language_choices(get_language() or "en")


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


def language_name(code: str) -> str:
    return dict(language_choices()).get(code, code)


COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)
LANGUAGE_CODES = frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))
