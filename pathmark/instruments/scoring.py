"""Score one set of answers against an instrument: per item, per domain, overall and stage.

Pure Python (no Django) so the maths can be property-tested and reused by the command line.
Answers that are not counted ("prefer not to say", "not applicable") are left out, never zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .definition import Instrument, Item

ResponseProblem = tuple[str, str]
"""(item id, what is wrong with the answer)."""

DECIMALS = 1


class ResponseError(ValueError):
    """Answers that do not fit the instrument; `problems` names every item at fault."""

    def __init__(self, problems: list[ResponseProblem]) -> None:
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(f"item {item_id}: {message}" for item_id, message in self.problems)


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: int
    items: dict[str, float | None]
    domains: dict[str, float | None]
    overall: float | None
    stage: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "items": dict(self.items),
            "domains": dict(self.domains),
            "overall": self.overall,
            "stage": self.stage,
        }


def validate_responses(
    instrument: Instrument, responses: Mapping[str, object]
) -> list[ResponseProblem]:
    """Every problem with the answers, for a form to show next to its item; [] when all fit."""
    problems: list[ResponseProblem] = []
    known = {item.id: item for item in instrument.items}
    for item_id, answer in responses.items():
        item = known.get(item_id)
        if item is None:
            problems.append((item_id, f"there is no item `{item_id}` in {instrument.slug}"))
            continue
        message = _answer_problem(item, answer)
        if message:
            problems.append((item_id, message))
    return problems


def score_responses(instrument: Instrument, responses: Mapping[str, object]) -> ScoreResult:
    """Score answers (item id → option value, list of values, or number); None = unanswered."""
    problems = validate_responses(instrument, responses)
    if problems:
        raise ResponseError(problems)

    item_scores: dict[str, float | None] = {}
    domain_scores: dict[str, float | None] = {}
    counted_domains: list[tuple[float, float]] = []
    for domain in instrument.domains:
        counted_items: list[tuple[float, float]] = []
        for item in domain.scored_items:
            score = _item_score(item, responses.get(item.id))
            item_scores[item.id] = score
            if score is not None:
                counted_items.append((item.weight, score))
        domain_score = None
        if len(counted_items) >= domain.minimum_answers:
            domain_score = _combine(instrument.domain_rule, counted_items)
            counted_domains.append((domain.weight, domain_score))
        domain_scores[domain.id] = domain_score

    overall = (
        _combine(instrument.overall_rule, counted_domains)
        if counted_domains and len(counted_domains) >= instrument.overall_minimum_domains
        else None
    )
    rounded_overall = _round(overall)
    rounded_domains = {domain_id: _round(score) for domain_id, score in domain_scores.items()}
    # The stage follows the rounded scores so the numbers shown and the stage shown agree, and
    # it obeys the instrument's `overall_stage_rule` exactly as the journey pages do.
    stage = instrument.overall_stage_for(rounded_overall, rounded_domains)
    return ScoreResult(
        instrument=instrument.slug,
        version=instrument.version,
        items={item_id: _round(score) for item_id, score in item_scores.items()},
        domains=rounded_domains,
        overall=rounded_overall,
        stage=stage.id if stage else None,
    )


def _answer_problem(item: Item, answer: object) -> str | None:
    if answer is None:
        return None
    if item.type == "free_text":
        return None if isinstance(answer, str) else "the answer must be text"
    if item.type == "number":
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            return f"the answer must be a number, not {answer!r}"
        if not math.isfinite(answer):
            return f"the answer must be a finite number, not {answer!r}"
        assert item.number_min is not None and item.number_max is not None
        if not item.number_min <= answer <= item.number_max:
            return f"{answer:g} is outside the range {item.number_min:g} to {item.number_max:g}"
        return None
    if item.type == "multiple_choice":
        if isinstance(answer, str) or not isinstance(answer, Sequence):
            return "the answer must be a list of option values"
        values = [_option_value(value) for value in answer]
        if len(set(values)) != len(values):
            return "the same option is chosen twice"
        for value in values:
            if value is None or item.option(value) is None:
                return _not_an_option(item, value)
        return None
    value = _option_value(answer)
    if value is None or item.option(value) is None:
        return _not_an_option(item, value if value is not None else repr(answer))
    return None


def _option_value(answer: object) -> str | None:
    # JSON and forms may send `1` for an option written `value: 1`; both mean the same answer.
    if isinstance(answer, str):
        return answer
    if isinstance(answer, int) and not isinstance(answer, bool):
        return str(answer)
    return None


def _not_an_option(item: Item, value: object) -> str:
    choices = ", ".join(option.value for option in item.options)
    return f"{value!s} is not one of the options ({choices})"


def _item_score(item: Item, answer: object) -> float | None:
    if answer is None:
        return None
    if item.type == "number":
        assert isinstance(answer, int | float)
        return item.number_score(float(answer))
    if item.type == "multiple_choice":
        assert isinstance(answer, Sequence)
        chosen = [item.option(str(value)) for value in answer]
        scores = [
            score
            for option in chosen
            if option is not None and (score := item.option_score(option)) is not None
        ]
        return sum(scores) / len(scores) if scores else None
    value = _option_value(answer)
    option = item.option(value) if value is not None else None
    return item.option_score(option) if option is not None else None


def _combine(rule: str, weighted: list[tuple[float, float]]) -> float:
    if rule == "minimum":
        return min(score for _, score in weighted)
    total_weight = sum(weight for weight, _ in weighted)
    mean = sum(weight * score for weight, score in weighted) / total_weight
    # Floating-point sums can stray a hair outside the range of the inputs.
    return min(max(mean, min(s for _, s in weighted)), max(s for _, s in weighted))


def _round(score: float | None) -> float | None:
    return None if score is None else round(score, DECIMALS)
