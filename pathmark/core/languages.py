"""Choosing the language of something printed for a client (a journey summary, a plan),
which may differ from the language of the caseworker's own pages."""

from __future__ import annotations

from django.conf import settings


def site_language(*wanted: str) -> str:
    """The first of `wanted` the site is translated into, itself or its base language
    ("ar-SY" gives "ar"); the site's default when it has none of them."""
    available = {code for code, _name in settings.LANGUAGES}
    for language in wanted:
        if language in available:
            return language
        if language and language.split("-")[0] in available:
            return language.split("-")[0]
    return str(settings.LANGUAGE_CODE)
