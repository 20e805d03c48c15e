"""How the partnership's own facts about a service travel in HSDS: as `attribute` rows with
terms of two Pathmark taxonomies, "Pathmark integration themes" (one term per theme, code =
the theme's slug) and "Pathmark service facts" (eligibility, capacity, interpreting,
confidentiality), each value in the attribute's `value`.

Pure Python (no Django). Every id here is derived from slugs and the row it describes, so
the same facts give the same attribute rows in every installation and every export, and an
export imported elsewhere and exported again is the same package.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .themes import NAMESPACE, THEMES_TAXONOMY_ID, theme_term_id

THEMES_TAXONOMY_NAME = "Pathmark integration themes"
FACTS_TAXONOMY_NAME = "Pathmark service facts"
FACTS_TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:facts"))


@dataclass(frozen=True)
class Fact:
    code: str  # the taxonomy term's code
    column: str  # the Service or Location column it fills
    kind: str  # "list" (one attribute per value), "int", "bool"
    entity: str  # "service" or "location"
    description: str

    @property
    def term_id(self) -> str:
        return fact_term_id(self.code)


def fact_term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"fact:{code}"))


FACTS: tuple[Fact, ...] = (
    Fact(
        "eligible-gender",
        "eligible_genders",
        "list",
        "service",
        "The service is for people of this gender (one attribute per gender).",
    ),
    Fact(
        "eligible-immigration-status",
        "eligible_immigration_statuses",
        "list",
        "service",
        "The service is for people with this immigration status (Pathmark's slugs).",
    ),
    Fact(
        "eligible-language",
        "eligible_languages",
        "list",
        "service",
        "People must speak this language (ISO 639 code) to use the service.",
    ),
    Fact(
        "eligible-postcode-area",
        "eligible_postcode_areas",
        "list",
        "service",
        "The service is for people whose postcode starts with this area or district.",
    ),
    Fact("places-per-month", "places_per_month", "int", "service", "Places a month."),
    Fact(
        "taking-referrals",
        "taking_referrals",
        "bool",
        "service",
        "Whether the service takes referrals now (true or false).",
    ),
    Fact("usual-wait-days", "usual_wait_days", "int", "service", "The usual wait, in days."),
    Fact(
        "response-days",
        "response_days",
        "int",
        "service",
        "Days within which the service answers a referral.",
    ),
    Fact(
        "interpreting-offered",
        "interpreting_offered",
        "bool",
        "service",
        "Whether interpreting is offered (true or false).",
    ),
    Fact(
        "confidential-location",
        "is_confidential",
        "bool",
        "location",
        "A refuge or safe house: its address is never shared outside its organisation.",
    ),
)
FACT_BY_TERM = {fact.term_id: fact for fact in FACTS}
FACT_BY_CODE = {fact.code: fact for fact in FACTS}
# Written on every export, so a service's defaults survive the journey.
ALWAYS_WRITTEN = frozenset({"taking-referrals", "response-days", "interpreting-offered"})


def attribute_id(link_id: str, code: str, value: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"attribute:{link_id}:{code}:{value}"))


def is_pathmark_term(term_id: str) -> bool:
    return term_id in FACT_BY_TERM or term_id in _THEME_TERMS


_THEME_TERMS: dict[str, str] = {}


def register_theme_slugs(slugs: Iterable[str]) -> None:
    """The themes file's slugs, so their terms' ids are recognised on import."""
    for slug in slugs:
        _THEME_TERMS[theme_term_id(slug)] = slug


def theme_slug_of(term_id: str) -> str | None:
    return _THEME_TERMS.get(term_id)


def taxonomy_rows() -> list[dict[str, str]]:
    return [
        {
            "id": THEMES_TAXONOMY_ID,
            "name": THEMES_TAXONOMY_NAME,
            "description": "What a service helps with, mapped to integration domains.",
            "version": "1",
        },
        {
            "id": FACTS_TAXONOMY_ID,
            "name": FACTS_TAXONOMY_NAME,
            "description": "Facts a partnership needs to refer: eligibility, capacity, "
            "languages, confidentiality.",
            "version": "1",
        },
    ]


def fact_term_rows() -> list[dict[str, str]]:
    return [
        {
            "id": fact.term_id,
            "code": fact.code,
            "name": fact.code.replace("-", " ").capitalize(),
            "description": fact.description,
            "taxonomy": FACTS_TAXONOMY_NAME,
            "taxonomy_id": FACTS_TAXONOMY_ID,
        }
        for fact in FACTS
    ]


def _text(kind: str, value: Any) -> str:
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


def facts_to_attributes(
    *, link_id: str, entity: str, columns: Mapping[str, Any], theme_slugs: Iterable[str] = ()
) -> list[dict[str, str]]:
    """The attribute rows (HSDS columns) that carry one service's or location's facts."""
    rows: list[dict[str, str]] = []

    def add(term_id: str, code: str, value: str) -> None:
        rows.append(
            {
                "id": attribute_id(link_id, code, value),
                "link_id": link_id,
                "taxonomy_term_id": term_id,
                "link_type": "",
                "link_entity": entity,
                "value": value,
            }
        )

    for slug in sorted(theme_slugs):
        add(theme_term_id(slug), f"theme:{slug}", slug)
    for fact in FACTS:
        if fact.entity != entity:
            continue
        value = columns.get(fact.column)
        if fact.kind == "list":
            for item in sorted(value or ()):
                add(fact.term_id, fact.code, str(item))
        elif fact.kind == "bool":
            if value or fact.code in ALWAYS_WRITTEN:
                add(fact.term_id, fact.code, _text("bool", value))
        elif value is not None:
            add(fact.term_id, fact.code, _text(fact.kind, value))
    return rows


class FactError(ValueError):
    """An attribute value that does not fit its fact."""


def fact_value(fact: Fact, text: str) -> Any:
    """The column value one attribute gives (for a list fact, one item)."""
    text = text.strip()
    if fact.kind == "bool":
        if text.lower() not in ("true", "false"):
            raise FactError("must be true or false")
        return text.lower() == "true"
    if fact.kind == "int":
        if not text.isdigit():
            raise FactError("must be a whole number from 0")
        return int(text)
    if not text:
        raise FactError("must not be empty")
    return text
