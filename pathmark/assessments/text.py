"""Choosing which language an instrument's text is shown in, and which way it reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from pathmark.instruments.definition import DEFAULT_LANGUAGE


def language_of(text: Mapping[str, str], language: str | None = None) -> str:
    """The language `text` will actually be shown in: the one asked for if it has a
    translation, else English (every instrument text has English)."""
    language = language or get_language() or DEFAULT_LANGUAGE
    if text.get(language):
        return language
    base = language.split("-")[0]
    if text.get(base):
        return base
    return DEFAULT_LANGUAGE


def in_language(text: Mapping[str, str] | None, language: str | None = None) -> str:
    """`text` in `language` (the reader's language by default), falling back to English."""
    if not text:
        return ""
    return text.get(language_of(text, language), "") or next(iter(text.values()), "")


def is_rtl(language: str) -> bool:
    return language.split("-")[0] in settings.LANGUAGES_BIDI


def direction(language: str) -> str:
    return "rtl" if is_rtl(language) else "ltr"


def answer_labels(item: Any, value: object, language: str | None = None) -> list[str]:
    """The words of the options a stored answer chose (one, or several for a multiple
    choice), in `language`; empty for a number, free text, or an item that no longer exists."""
    if item is None or value is None:
        return []
    values = value if isinstance(value, list) else [value]
    options = (item.option(str(v)) for v in values if v is not None)
    return [in_language(option.label, language) for option in options if option is not None]
