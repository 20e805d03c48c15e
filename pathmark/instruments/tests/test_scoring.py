"""Scoring answers: hand-worked examples, then properties that must hold for any instrument."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmark.instruments.definition import (
    Domain,
    Instrument,
    Item,
    Option,
    OverallStageRule,
    Stage,
    parse_instrument,
)
from pathmark.instruments.registry import get_instrument
from pathmark.instruments.scoring import ResponseError, score_responses, validate_responses
from pathmark.journeys.trajectory import overall_stage

from .conftest import MINIMAL

ANSWERS = {
    "bills": "some",  # 50
    "worry": "never",  # 0, reversed to 100, weight 3
    "notes": "Thanks",
    "rooms": 3,  # 3 of 0..4 -> 75
    "safe": "no",  # 0
    "help": ["family", "friends"],  # mean of 100 and 50 -> 75
}


def test_known_answers_score_as_worked_by_hand(minimal):
    result = score_responses(minimal, ANSWERS)
    assert result.items == {
        "bills": 50.0,
        "worry": 100.0,
        "rooms": 75.0,
        "safe": 0.0,
        "help": 75.0,
    }
    # money: (1*50 + 3*100) / 4; home: (75 + 0 + 75) / 3
    assert result.domains == {"money": 87.5, "home": 50.0}
    # overall: (1*87.5 + 3*50) / 4 = 59.375
    assert result.overall == 59.4
    assert result.stage == "high"


def test_to_json_has_exactly_the_agreed_keys(minimal):
    assert score_responses(minimal, ANSWERS).to_json() == {
        "instrument": "tiny",
        "version": 1,
        "items": {"bills": 50.0, "worry": 100.0, "rooms": 75.0, "safe": 0.0, "help": 75.0},
        "domains": {"money": 87.5, "home": 50.0},
        "overall": 59.4,
        "stage": "high",
    }


def test_prefer_not_to_say_is_left_out_not_zero(minimal):
    result = score_responses(minimal, {"help": ["family", "rather-not"]})
    assert result.items["help"] == 100.0
    assert result.domains["home"] == 100.0


def test_reverse_item_counts_100_minus_score(minimal):
    assert score_responses(minimal, {"worry": "often"}).items["worry"] == 0.0


def test_domain_has_no_score_below_minimum_answers(minimal):
    result = score_responses(minimal, {"bills": "yes", "worry": "never", "rooms": 0})
    assert result.domains["money"] == 100.0
    result = score_responses(minimal, {"bills": "yes", "worry": None, "rooms": 0})
    assert result.domains["money"] is None
    assert result.overall == 0.0


def test_a_null_answer_does_not_count_towards_minimum_answers(minimal):
    result = score_responses(minimal, {"bills": "skip", "worry": "never"})
    assert result.items["bills"] is None
    assert result.domains["money"] is None


def test_nothing_answered_gives_no_overall_and_no_stage(minimal):
    result = score_responses(minimal, {})
    assert result.overall is None
    assert result.stage is None


def test_overall_needs_the_declared_number_of_scored_domains():
    instrument = parse_instrument(MINIMAL + "overall_minimum_domains: 2\n", source="t")
    both = score_responses(instrument, ANSWERS)
    assert both.overall is not None
    # Money alone has a score: one domain is not enough for an overall or a stage.
    money_only = score_responses(instrument, {"bills": "some", "worry": "never"})
    assert money_only.domains["money"] is not None and money_only.domains["home"] is None
    assert money_only.overall is None and money_only.stage is None


def test_built_in_instruments_give_no_overall_from_a_few_domains():
    instrument = get_instrument("integration-journey")
    assert instrument.overall_minimum_domains * 2 >= len(instrument.domains)
    few = {item.id: item.options[0].value for item in instrument.domains[0].items}
    result = score_responses(instrument, few)
    assert result.domains[instrument.domains[0].id] is not None
    assert result.overall is None


def test_overall_minimum_domains_cannot_exceed_the_domains():
    with pytest.raises(Exception, match="only 2 domains"):
        parse_instrument(MINIMAL + "overall_minimum_domains: 3\n", source="t")


def test_minimum_rule_takes_the_lowest(minimal):
    strict = dataclasses.replace(minimal, domain_rule="minimum", overall_rule="minimum")
    result = score_responses(strict, ANSWERS)
    assert result.domains == {"money": 50.0, "home": 0.0}
    assert result.overall == 0.0
    assert result.stage == "low"


# --- The overall stage rule -------------------------------------------------------------------

CAPPED_BY_MONEY = MINIMAL + "overall_stage_rule:\n  capped_by: [money]\n"
MONEY_LOW_HOME_HIGH = {
    "bills": "no",
    "worry": "often",
    "rooms": 4,
    "safe": "yes",
    "help": ["family"],
}
MONEY_HIGH_HOME_LOW = {
    "bills": "yes",
    "worry": "never",
    "rooms": 0,
    "safe": "no",
    "help": ["nobody"],
}


def test_overall_stage_is_capped_by_a_lower_stage_in_a_named_domain():
    instrument = parse_instrument(CAPPED_BY_MONEY, source="t")
    result = score_responses(instrument, MONEY_LOW_HOME_HIGH)
    assert result.domains == {"money": 0.0, "home": 100.0}
    assert result.overall == 75.0  # "high" on its own
    assert result.stage == "low"


def test_overall_stage_is_not_capped_without_a_rule(minimal):
    result = score_responses(minimal, MONEY_LOW_HOME_HIGH)
    assert result.overall == 75.0
    assert result.stage == "high"


def test_a_higher_stage_in_a_named_domain_never_raises_the_overall_stage():
    instrument = parse_instrument(CAPPED_BY_MONEY, source="t")
    result = score_responses(instrument, MONEY_HIGH_HOME_LOW)
    assert result.domains == {"money": 100.0, "home": 0.0}
    assert result.stage == "low"


def test_a_named_domain_without_a_score_caps_nothing():
    instrument = parse_instrument(CAPPED_BY_MONEY, source="t")
    # One money answer is below its minimum of two, so money has no score.
    result = score_responses(instrument, {**MONEY_LOW_HOME_HIGH, "worry": None})
    assert result.domains["money"] is None
    assert result.overall == 100.0
    assert result.stage == "high"


def test_indicators_of_integration_stage_is_capped_by_housing():
    instrument = get_instrument("indicators-of-integration")
    answers = {item.id: "level-5" for item in instrument.items}
    answers["housing-situation"] = "level-1"
    result = score_responses(instrument, answers)
    assert result.overall is not None and result.overall >= 80  # "thriving" on its own
    assert result.domains["housing"] == 0.0
    assert result.stage == "urgent-need"


def test_stored_stage_and_journey_stage_come_from_one_rule():
    instrument = get_instrument("indicators-of-integration")
    answers = {item.id: "level-4" for item in instrument.items}
    answers["feel-safe"] = "level-2"
    result = score_responses(instrument, answers)
    assert result.stage == "getting-support"
    assert overall_stage(instrument, result.overall, result.domains) == result.stage


@pytest.mark.parametrize(
    ("answers", "item_id", "words"),
    [
        ({"bils": "yes"}, "bils", "no item"),
        ({"bills": "maybe"}, "bills", "not one of the options"),
        ({"rooms": 9}, "rooms", "outside the range"),
        ({"rooms": "3"}, "rooms", "must be a number"),
        ({"help": "family"}, "help", "list"),
        ({"help": ["family", "family"]}, "help", "twice"),
        ({"notes": 4}, "notes", "text"),
    ],
)
def test_bad_answers_name_the_item(minimal, answers, item_id, words):
    with pytest.raises(ResponseError) as caught:
        score_responses(minimal, answers)
    [(reported, message)] = caught.value.problems
    assert reported == item_id
    assert words in message


def test_validate_responses_lists_every_problem(minimal):
    problems = validate_responses(minimal, {"bills": "maybe", "rooms": -1, "safe": "yes"})
    assert [item_id for item_id, _ in problems] == ["bills", "rooms"]


def test_numeric_option_values_match_text(minimal):
    text = MINIMAL.replace('value: "no"', "value: 1")
    instrument = parse_instrument(text, source="t")
    assert score_responses(instrument, {"bills": 1}).items["bills"] == 0.0
    assert score_responses(instrument, {"bills": "1"}).items["bills"] == 0.0


# --- Properties -------------------------------------------------------------------------------

STAGES = (
    Stage("low", {"en": "Low"}, {}, 0.0, 50.0),
    Stage("high", {"en": "High"}, {}, 50.0, 100.0),
)
scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
weights = st.floats(min_value=0.1, max_value=10, allow_nan=False)
# Enough examples to find the corner cases seen so far, few enough to keep the suite quick.
PROPERTY = settings(max_examples=60, deadline=None)


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    domains = []
    counter = 0
    for domain_index in range(draw(st.integers(1, 4))):
        items = []
        for _ in range(draw(st.integers(1, 5))):
            counter += 1
            option_scores = draw(st.lists(scores, min_size=2, max_size=5))
            # Every item gets at least one counted option so it is a scored item.
            option_scores[0] = draw(st.floats(min_value=0, max_value=100, allow_nan=False))
            options = tuple(
                Option(f"o{index}", {"en": f"o{index}"}, score)
                for index, score in enumerate(option_scores)
            )
            items.append(
                Item(
                    f"q{counter}",
                    "single_choice",
                    {"en": "?"},
                    None,
                    draw(weights),
                    options,
                    draw(st.booleans()),
                )
            )
        domains.append(
            Domain(
                f"d{domain_index}",
                {"en": "D"},
                draw(weights),
                draw(st.integers(1, len(items))),
                tuple(items),
            )
        )
    return Instrument(
        slug="generated",
        version=1,
        title={"en": "Generated"},
        description=None,
        source="tests",
        licence="CC0",
        languages=["en"],
        draft_languages=[],
        domains=tuple(domains),
        stages=STAGES,
        domain_rule=draw(st.sampled_from(["weighted_mean", "minimum"])),
        overall_rule=draw(st.sampled_from(["weighted_mean", "minimum"])),
        measurement_error=None,
        raw={},
    )


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[Instrument, dict[str, object]]:
    instrument = draw(instruments())
    answers: dict[str, object] = {}
    for item in instrument.items:
        if draw(st.booleans()):
            answers[item.id] = draw(st.sampled_from([option.value for option in item.options]))
    return instrument, answers


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=0.1 + 1e-9)


@PROPERTY
@given(instrument_and_answers())
def test_every_score_is_within_0_and_100(case):
    instrument, answers = case
    result = score_responses(instrument, answers)
    for value in [*result.items.values(), *result.domains.values(), result.overall]:
        assert value is None or 0 <= value <= 100
    assert (result.stage is None) == (result.overall is None)


@PROPERTY
@given(instrument_and_answers(), st.data())
def test_not_counted_answers_are_the_same_as_no_answer(case, data):
    instrument, answers = case
    null_answers = dict(answers)
    for item in instrument.items:
        nulls = [option.value for option in item.options if option.score is None]
        if item.id not in answers and nulls:
            null_answers[item.id] = data.draw(st.sampled_from(nulls))
    assert score_responses(instrument, null_answers) == score_responses(instrument, answers)


@PROPERTY
@given(instrument_and_answers())
def test_domain_score_lies_between_its_lowest_and_highest_item(case):
    instrument, answers = case
    result = score_responses(instrument, answers)
    for domain in instrument.domains:
        counted = [result.items[item.id] for item in domain.items]
        counted_scores = [score for score in counted if score is not None]
        score = result.domains[domain.id]
        if score is not None:
            assert min(counted_scores) - 0.1 <= score <= max(counted_scores) + 0.1


@PROPERTY
@given(instrument_and_answers())
def test_reversing_an_item_mirrors_its_score(case):
    instrument, answers = case
    flipped = dataclasses.replace(
        instrument,
        domains=tuple(
            dataclasses.replace(
                domain,
                items=tuple(
                    dataclasses.replace(item, reverse=not item.reverse) for item in domain.items
                ),
            )
            for domain in instrument.domains
        ),
    )
    original = score_responses(instrument, answers).items
    mirrored = score_responses(flipped, answers).items
    for item_id, score in original.items():
        other = mirrored[item_id]
        assert (score is None and other is None) or close(100 - score, other)


@PROPERTY
@given(instrument_and_answers(), st.floats(min_value=0.01, max_value=100))
def test_scaling_all_weights_changes_nothing(case, factor):
    instrument, answers = case
    scaled = dataclasses.replace(
        instrument,
        domains=tuple(
            dataclasses.replace(
                domain,
                weight=domain.weight * factor,
                items=tuple(
                    dataclasses.replace(item, weight=item.weight * factor) for item in domain.items
                ),
            )
            for domain in instrument.domains
        ),
    )
    before = score_responses(instrument, answers)
    after = score_responses(scaled, answers)
    assert all(close(before.domains[key], after.domains[key]) for key in before.domains)
    assert close(before.overall, after.overall)


@PROPERTY
@given(instrument_and_answers())
def test_answering_one_more_item_never_moves_scores_past_its_score(case):
    """A new answer pulls a mean towards itself: never above it if it raised, nor below."""
    instrument, answers = case
    unanswered = [item for item in instrument.items if item.id not in answers]
    if not unanswered or instrument.domain_rule != "weighted_mean":
        return
    item = unanswered[0]
    option = item.options[0]  # always counted
    added = score_responses(instrument, {**answers, item.id: option.value})
    before = score_responses(instrument, answers)
    domain = next(d for d in instrument.domains if item in d.items)
    new_item_score = added.items[item.id]
    old, new = before.domains[domain.id], added.domains[domain.id]
    if old is not None and new is not None and new_item_score is not None:
        low, high = sorted([old, new_item_score])
        assert low - 0.1 <= new <= high + 0.1


@PROPERTY
@given(instrument_and_answers(), st.data())
def test_overall_stage_is_the_lowest_of_the_overall_and_the_capping_domains(case, data):
    instrument, answers = case
    capped_by = data.draw(st.lists(st.sampled_from([d.id for d in instrument.domains])))
    instrument = dataclasses.replace(
        instrument, overall_stage_rule=OverallStageRule(tuple(capped_by))
    )
    result = score_responses(instrument, answers)
    if result.overall is None:
        assert result.stage is None
        return
    order = [stage.id for stage in instrument.stages]
    candidates = [result.overall] + [
        score for key in capped_by if (score := result.domains[key]) is not None
    ]
    lowest = min(order.index(instrument.stage_for(score).id) for score in candidates)
    assert result.stage == order[lowest]
