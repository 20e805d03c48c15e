"""Choosing case studies from the evidence bank: criteria with weights (a data file, checked
on load with the line of every problem), and a shortlist that scores each intervention
against them and keeps, for each criterion, what it found, so the page can say why.

Pure Python (no Django): the facts of an intervention come in as `Facts`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

KINDS = (
    "evidence_items",
    "outcome_figures",
    "hard_to_reach",
    "place_characteristics",
    "funded_months",
)
NEEDS_TARGET = ("evidence_items", "hard_to_reach", "funded_months")


class CriteriaError(ValueError):
    """A criteria file that cannot be used; the message names the line and the key."""


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float
    kind: str
    title: Mapping[str, str]
    target: float = 1.0
    values: frozenset[str] = frozenset()

    def title_in(self, language: str) -> str:
        return self.title.get(language.split("-")[0]) or self.title.get("en") or self.id


@dataclass(frozen=True)
class Facts:
    """What the shortlist knows of one intervention."""

    id: int
    title: str
    evidence_items: int
    has_outcome_figures: bool
    hard_to_reach: frozenset[str]
    place_characteristics: frozenset[str]
    funded_months: int


@dataclass(frozen=True)
class Part:
    """One criterion's part of a score: what was found (`found`, in the criterion's unit),
    how far it goes (0 to 1) and the points it brings."""

    criterion: Criterion
    found: float
    met: float
    points: float


@dataclass(frozen=True)
class Scored:
    facts: Facts
    score: float
    """0 to 100: the weighted share of the criteria met."""
    parts: tuple[Part, ...]


def parse_criteria(text: str, *, source: str = "criteria") -> tuple[Criterion, ...]:
    """The criteria of a YAML file's text; `CriteriaError` naming the line of any problem."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        raise CriteriaError(f"{source}: not valid YAML: {error}") from None
    if root is None or not isinstance(root, yaml.MappingNode):
        raise CriteriaError(f"{source}: expected a mapping with `criteria:`")
    top = {key.value: value for key, value in root.value}
    listed = top.get("criteria")
    if not isinstance(listed, yaml.SequenceNode) or not listed.value:
        raise CriteriaError(
            f"{source}, line {root.start_mark.line + 1}: `criteria:` must list at least one criterion"
        )
    data = yaml.safe_load(text)["criteria"]
    found: list[Criterion] = []
    seen: set[str] = set()
    for node, entry in zip(listed.value, data, strict=True):
        line = node.start_mark.line + 1
        found.append(_criterion(entry, where=f"{source}, line {line}", seen=seen))
    return tuple(found)


def _criterion(entry: Any, *, where: str, seen: set[str]) -> Criterion:
    if not isinstance(entry, dict):
        raise CriteriaError(f"{where}: each criterion is a mapping")
    unknown = set(entry) - {"id", "weight", "kind", "title", "target", "values"}
    if unknown:
        raise CriteriaError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident:
        raise CriteriaError(f"{where}: `id` must be a short text")
    if ident in seen:
        raise CriteriaError(f"{where}: the id {ident!r} is used twice")
    seen.add(ident)
    weight = entry.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise CriteriaError(f"{where}: `weight` of {ident!r} must be a number above 0")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise CriteriaError(f"{where}: `kind` of {ident!r} must be one of {', '.join(KINDS)}")
    title = entry.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("en"), str) or not title["en"]:
        raise CriteriaError(f"{where}: `title` of {ident!r} needs at least an English text (en)")
    target = entry.get("target", 1)
    if kind in NEEDS_TARGET and (
        isinstance(target, bool) or not isinstance(target, (int, float)) or target <= 0
    ):
        raise CriteriaError(f"{where}: `target` of {ident!r} must be a number above 0")
    values = entry.get("values", [])
    if kind == "place_characteristics" and (
        not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values)
    ):
        raise CriteriaError(
            f"{where}: `values` of {ident!r} must list the characteristics that count"
        )
    return Criterion(
        id=ident,
        weight=float(weight),
        kind=kind,
        title={str(k): str(v) for k, v in title.items()},
        target=float(target),
        values=frozenset(values),
    )


def _found(criterion: Criterion, facts: Facts) -> tuple[float, float]:
    """(what was found, how far it meets the criterion from 0 to 1)."""
    if criterion.kind == "evidence_items":
        return facts.evidence_items, min(facts.evidence_items / criterion.target, 1.0)
    if criterion.kind == "outcome_figures":
        return float(facts.has_outcome_figures), float(facts.has_outcome_figures)
    if criterion.kind == "hard_to_reach":
        count = len(facts.hard_to_reach)
        return count, min(count / criterion.target, 1.0)
    if criterion.kind == "place_characteristics":
        matching = len(facts.place_characteristics & criterion.values)
        return matching, float(matching > 0)
    return facts.funded_months, min(facts.funded_months / criterion.target, 1.0)


def score(facts: Facts, criteria: Sequence[Criterion]) -> Scored:
    total = sum(c.weight for c in criteria)
    parts = []
    for criterion in criteria:
        found, met = _found(criterion, facts)
        parts.append(Part(criterion, found, met, 100 * criterion.weight * met / total))
    return Scored(facts, round(sum(p.points for p in parts), 1), tuple(parts))


def shortlist(interventions: Sequence[Facts], criteria: Sequence[Criterion]) -> list[Scored]:
    """Every intervention scored, best first (ties by title, then id)."""
    scored = [score(facts, criteria) for facts in interventions]
    return sorted(scored, key=lambda s: (-s.score, s.facts.title.lower(), s.facts.id))
