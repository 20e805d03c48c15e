"""The partnership's themes, loaded once and checked against the installed instruments."""

from __future__ import annotations

from functools import cache

from pathmark.instruments.registry import list_instruments

from .themes import DEFAULT_FILE, Theme, Themes, load_themes


@cache
def themes() -> Themes:
    known = {
        instrument.slug: [d.id for d in instrument.domains] for instrument in list_instruments()
    }
    return load_themes(DEFAULT_FILE, known_domains=known)


def theme(slug: str) -> Theme | None:
    return themes().get(slug)
