"""The themes file: the built-in one loads and maps onto real instrument domains; mistakes are
reported by line and field."""

from __future__ import annotations

import pytest

from pathmark.directory.catalogue import themes
from pathmark.directory.themes import ThemesFileError, parse_themes, theme_term_id

KNOWN = {"indicators-of-integration": ["housing", "stability", "work"]}

GOOD = """\
version: 1
title: {en: Themes}
themes:
  - slug: housing
    title: {en: Housing, ar: السكن}
    domains:
      indicators-of-integration: [housing, stability]
"""


def test_built_in_themes_cover_the_partnership_list_and_map_to_instrument_domains():
    loaded = themes()
    assert set(loaded.slugs()) == {
        "english-esol",
        "understanding-how-things-work",
        "employment-and-training",
        "housing",
        "health",
        "benefits-and-money",
        "legal-advice",
        "children-and-young-people",
        "women-and-girls",
        "mentoring-and-befriending",
        "volunteering",
        "digital-skills",
        "trust-between-communities",
    }
    assert (
        "language-and-communication"
        in loaded.domains_of(["english-esol"])["indicators-of-integration"]
    )
    for theme in loaded.themes:
        assert theme.title_in("ar") != theme.title_in("en")


def test_a_good_file_parses_with_stable_term_ids():
    parsed = parse_themes(GOOD, source="t.yaml", known_domains=KNOWN)
    assert parsed.get("housing").title_in("ar") == "السكن"
    assert parsed.get("housing").term_id == theme_term_id("housing")
    assert theme_term_id("housing") == theme_term_id("housing")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("[housing, stability]", "[housing, stabilty]"),
            "t.yaml:7: themes[0].domains.indicators-of-integration: indicators-of-integration has no domain 'stabilty'",
        ),
        (
            GOOD.replace("indicators-of-integration:", "indicators:"),
            "t.yaml:7: themes[0].domains.indicators: there is no instrument 'indicators'",
        ),
        (
            GOOD.replace("  - slug: housing", "  - slug: Housing"),
            "t.yaml:4: themes[0].slug: use lower-case",
        ),
        (
            GOOD.replace("    title: {en: Housing, ar: السكن}", "    tilte: {en: Housing}"),
            "t.yaml:5: themes[0].tilte: unknown key",
        ),
        (
            GOOD.replace("{en: Housing, ar: السكن}", "{ar: السكن}"),
            "t.yaml:5: themes[0].title: needs an English text",
        ),
        (
            GOOD
            + "  - slug: housing\n    title: {en: Again}\n    domains: {indicators-of-integration: [work]}\n",
            "t.yaml:8: themes[1].slug: 'housing' is used already on line 4",
        ),
        ("version: 1\ntitle: {en: x\n", "t.yaml:3: (syntax): YAML syntax error"),
    ],
)
def test_mistakes_name_line_and_field(text, expected):
    with pytest.raises(ThemesFileError) as caught:
        parse_themes(text, source="t.yaml", known_domains=KNOWN)
    assert expected in str(caught.value)
