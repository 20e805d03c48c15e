"""The case-study shortlist (pure): criteria checked on load with the line of each problem,
scores that are the weighted share of criteria met, and parts that explain them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathmark.evidence.shortlist import CriteriaError, Facts, parse_criteria, score, shortlist

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "case-study-criteria.yaml"


def facts(**changes: object) -> Facts:
    base = {
        "id": 1,
        "title": "Conversation club",
        "evidence_items": 0,
        "has_outcome_figures": False,
        "hard_to_reach": frozenset(),
        "place_characteristics": frozenset(),
        "funded_months": 0,
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def test_the_shipped_criteria_load():
    criteria = parse_criteria(SHIPPED.read_text(encoding="utf-8"))
    assert [c.id for c in criteria] == [
        "evidence",
        "outcomes",
        "hard-to-reach",
        "places",
        "sustained",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "criteria:\n  - id: a\n    weight: 0\n    kind: outcome_figures\n    title: {en: A}\n",
            "line 2: `weight`",
        ),
        (
            "criteria:\n  - id: a\n    weight: 1\n    kind: luck\n    title: {en: A}\n",
            "line 2: `kind`",
        ),
        (
            "criteria:\n  - id: a\n    weight: 1\n    kind: outcome_figures\n    title: {en: A}\n"
            "  - id: a\n    weight: 1\n    kind: outcome_figures\n    title: {en: B}\n",
            "line 6: the id 'a' is used twice",
        ),
        (
            "criteria:\n  - id: a\n    weight: 1\n    kind: evidence_items\n    target: -1\n    title: {en: A}\n",
            "`target`",
        ),
        (
            "criteria:\n  - id: a\n    weight: 1\n    kind: outcome_figures\n    title: {ar: ب}\n",
            "English",
        ),
        (
            "criteria:\n  - id: a\n    weight: 1\n    kind: outcome_figures\n    colour: red\n    title: {en: A}\n",
            "unknown key(s) colour",
        ),
        ("criteria: []\n", "at least one"),
        ("criteria: [\n", "not valid YAML"),
    ],
)
def test_a_bad_criteria_file_is_refused_naming_where(text, words):
    with pytest.raises(CriteriaError) as refused:
        parse_criteria(text, source="mine.yaml")
    assert words in str(refused.value) and "mine.yaml" in str(refused.value)


def test_the_score_is_the_weighted_share_met_and_each_part_says_what_it_found():
    criteria = parse_criteria(SHIPPED.read_text(encoding="utf-8"))
    nothing = score(facts(), criteria)
    assert nothing.score == 0
    everything = score(
        facts(
            evidence_items=5,
            has_outcome_figures=True,
            hard_to_reach=frozenset({"older", "no_english"}),
            place_characteristics=frozenset({"rural"}),
            funded_months=30,
        ),
        criteria,
    )
    assert everything.score == 100
    half_evidence = score(facts(evidence_items=1), criteria)
    # 1 of a target of 3, weight 3 of a total weight 10.
    assert half_evidence.score == pytest.approx(100 * 3 * (1 / 3) / 10, abs=0.05)
    part = half_evidence.parts[0]
    assert (part.found, round(part.met, 3)) == (1, 0.333)


def test_the_shortlist_ranks_best_first_then_by_title():
    criteria = parse_criteria(SHIPPED.read_text(encoding="utf-8"))
    ranked = shortlist(
        [facts(id=1, title="B"), facts(id=2, title="A"), facts(id=3, title="C", evidence_items=3)],
        criteria,
    )
    assert [s.facts.id for s in ranked] == [3, 2, 1]


@given(
    evidence=st.integers(0, 20),
    figures=st.booleans(),
    months=st.integers(0, 120),
    groups=st.sets(st.sampled_from(["older", "young", "disabled", "no_english"])),
)
def test_scores_stay_between_0_and_100_and_parts_add_up(evidence, figures, months, groups):
    criteria = parse_criteria(SHIPPED.read_text(encoding="utf-8"))
    scored = score(
        facts(
            evidence_items=evidence,
            has_outcome_figures=figures,
            funded_months=months,
            hard_to_reach=frozenset(groups),
        ),
        criteria,
    )
    assert 0 <= scored.score <= 100
    assert scored.score == pytest.approx(sum(p.points for p in scored.parts), abs=0.06)
