"""Country and language names in the reader's language.

Countries are ISO 3166-1 alpha-2. Languages are ISO 639-1 where a language has a two-letter
code, and ISO 639-3 for languages that have none but that people arriving in the UK speak
(Dari, Sorani and Kurmanji Kurdish, Hazaragi, Tigre, Dinka, Nuer, Rohingya...): without
them a caseworker could not record the language a person needs an interpreter for.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Names written for Pathmark's own catalogue, so that the languages most used in the
# partnership read well in every interface language (pycountry's translations are patchy).
# Anything not listed falls back to pycountry's name.
OWN_LANGUAGE_NAMES = {
    "am": _("Amharic"),
    "ar": _("Arabic"),
    "bn": _("Bengali"),
    "ckb": _("Kurdish (Sorani)"),
    "en": _("English"),
    "fa": _("Persian (Farsi)"),
    "fr": _("French"),
    "haz": _("Hazaragi"),
    "kmr": _("Kurdish (Kurmanji)"),
    "ku": _("Kurdish"),
    "om": _("Oromo"),
    "pa": _("Punjabi"),
    "prs": _("Dari"),
    "ps": _("Pashto"),
    "ru": _("Russian"),
    "so": _("Somali"),
    "sq": _("Albanian"),
    "sw": _("Swahili"),
    "ti": _("Tigrinya"),
    "tr": _("Turkish"),
    "uk": _("Ukrainian"),
    "ur": _("Urdu"),
    "vi": _("Vietnamese"),
    "zh": _("Chinese"),
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "ln": _("Lingala"),
    "rw": _("Kinyarwanda"),
    "my": _("Burmese"),
    "rhg": _("Rohingya"),
    "tig": _("Tigre"),
    "din": _("Dinka"),
    "nus": _("Nuer"),
    "bej": _("Beja"),
    "sdh": _("Kurdish (Southern)"),
}


@cache
def _translator(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


# Not countries, but true answers to "country of origin" for people who have none or do not
# know it. User-assigned ISO 3166-1 codes (ZZ is also CLDR's "unknown region").
STATELESS = "XX"
UNKNOWN_COUNTRY = "ZZ"
OWN_COUNTRY_NAMES = {
    STATELESS: _("Stateless"),
    UNKNOWN_COUNTRY: _("Unknown country"),
}


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _translator("iso3166-1", language)
    countries = sorted(
        ((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries),
        key=lambda pair: pair[1].casefold(),
    )
    return (*((code, str(name)) for code, name in OWN_COUNTRY_NAMES.items()), *countries)


def _extra_language_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "PATHMARK_EXTRA_LANGUAGES", ()))


@cache
def _language_codes(extra: tuple[str, ...]) -> dict[str, str]:
    """Code -> English name of every language a record may hold."""
    codes = {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    for code in extra:
        found = pycountry.languages.get(alpha_3=code)
        if found is None:
            raise ValueError(f"PATHMARK_EXTRA_LANGUAGES: {code!r} is not an ISO 639-3 code")
        codes.setdefault(code, found.name)
    return codes


@cache
def _language_choices(language: str, extra: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    names = _translator("iso639-3", language)

    def name(code: str, english: str) -> str:
        own = OWN_LANGUAGE_NAMES.get(code)
        return str(own) if own is not None else names.gettext(english)

    return tuple(
        sorted(
            ((code, name(code, english)) for code, english in _language_codes(extra).items()),
            key=lambda pair: pair[1].casefold(),
        )
    )


def country_choices() -> tuple[tuple[str, str], ...]:
    return _country_choices(get_language() or "en")


def language_choices() -> tuple[tuple[str, str], ...]:
    return _language_choices(get_language() or "en", _extra_language_codes())


def common_language_choices() -> tuple[tuple[str, str], ...]:
    """The languages most spoken in this partnership (PATHMARK_COMMON_LANGUAGES), offered
    first so that a caseworker ticks them instead of scrolling a list of 190."""
    names = dict(language_choices())
    common = getattr(settings, "PATHMARK_COMMON_LANGUAGES", ())
    return tuple(
        sorted(
            ((code, names[code]) for code in common if code in names),
            key=lambda pair: pair[1].casefold(),
        )
    )


def language_code_for(text: str) -> str | None:
    """The code of a language typed as a code ("prs") or a name in the reader's language or
    in English ("Dari"), or None."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    codes = _language_codes(_extra_language_codes())
    if wanted in codes:
        return wanted
    for code, name in language_choices():
        if name.casefold() == wanted:
            return code
    for code, english in codes.items():
        if english.casefold() == wanted:
            return code
    # "Kurmanji" for "Kurdish (Kurmanji)": the qualifier alone, when only one name has it.
    qualified = [
        code
        for code, name in language_choices()
        if name.endswith(")")
        and "(" in name
        and name[name.rindex("(") + 1 : -1].strip().casefold() == wanted
    ]
    return qualified[0] if len(qualified) == 1 else None


def language_codes() -> frozenset[str]:
    return frozenset(_language_codes(_extra_language_codes()))


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


def language_name(code: str) -> str:
    return dict(language_choices()).get(code, code)


COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(OWN_COUNTRY_NAMES)


def __getattr__(name: str) -> frozenset[str]:
    # LANGUAGE_CODES follows the settings (tests change them), so it is computed on access.
    if name == "LANGUAGE_CODES":
        return language_codes()
    raise AttributeError(name)
