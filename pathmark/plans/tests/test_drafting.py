"""Drafting a plan: falling domains first, then the largest gaps, targets between the score
and the host norm, review dates and suggested actions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pathmark.plans.drafting import (
    DomainStanding,
    Reason,
    Rules,
    ServiceOption,
    Step,
    SuggestedKind,
    draft_goals,
    priorities,
    target_for,
)

ON = date(2026, 1, 15)


def ids(standings: list[DomainStanding]) -> list[str]:
    return [standing.domain_id for standing in standings]


def test_largest_gap_to_the_host_norm_comes_first():
    standings = [
        DomainStanding("work", 60, host_norm=70),
        DomainStanding("language", 30, host_norm=75),
        DomainStanding("health", 50, host_norm=70),
    ]
    assert ids(priorities(standings)) == ["language", "health", "work"]


def test_a_falling_domain_comes_before_a_larger_gap():
    standings = [
        DomainStanding("language", 30, host_norm=75),
        DomainStanding("health", 65, host_norm=70, falling=True),
    ]
    assert ids(priorities(standings)) == ["health", "language"]


def test_a_falling_domain_above_the_norm_is_still_a_priority():
    standings = [DomainStanding("safety", 85, host_norm=70, falling=True)]
    goals = draft_goals(standings, on=ON)
    assert [goal.reason for goal in goals] == [Reason.FALLING]


def test_domains_at_or_above_the_norm_that_hold_steady_are_not_priorities():
    standings = [DomainStanding("work", 70, host_norm=70), DomainStanding("health", 80, 70)]
    assert priorities(standings) == []


def test_domains_without_a_norm_follow_by_lowest_score():
    standings = [
        DomainStanding("a", 60),
        DomainStanding("b", 20),
        DomainStanding("c", 40, host_norm=50),
    ]
    assert ids(priorities(standings)) == ["c", "b", "a"]


def test_unscored_domains_are_left_out_and_at_most_max_goals_are_kept():
    standings = [DomainStanding(f"d{i}", 10 + i, host_norm=90) for i in range(6)]
    standings.append(DomainStanding("unscored", None, host_norm=90))
    assert ids(priorities(standings, max_goals=2)) == ["d0", "d1"]


def test_ties_keep_the_instruments_order():
    standings = [DomainStanding("b", 40, 60), DomainStanding("a", 40, 60)]
    assert ids(priorities(standings)) == ["b", "a"]


def test_target_closes_half_the_gap_but_at_least_the_minimum_step():
    assert target_for(DomainStanding("x", 20, host_norm=80)) == 50  # half of a 60-point gap
    assert target_for(DomainStanding("x", 60, host_norm=80)) == 70  # 10 points, not 10 / 2
    assert target_for(DomainStanding("x", 75, host_norm=80)) == 80  # never past the norm


def test_target_without_a_norm_is_the_minimum_step_capped_at_100():
    assert target_for(DomainStanding("x", 42.5)) == 53
    assert target_for(DomainStanding("x", 95)) == 100


def test_each_goal_gets_a_review_date_falling_ones_sooner():
    goals = draft_goals(
        [DomainStanding("a", 30, 70), DomainStanding("b", 60, 70, falling=True)], on=ON
    )
    by_domain = {goal.domain_id: goal for goal in goals}
    assert by_domain["a"].review_on == ON + timedelta(days=Rules().review_days)
    assert by_domain["b"].review_on == ON + timedelta(days=Rules().falling_review_days)
    assert [goal.priority for goal in goals] == [1, 2]


def test_a_referral_to_the_best_service_is_suggested_when_there_is_one():
    services = {"a": [ServiceOption("svc-1", "ESOL entry"), ServiceOption("svc-2", "Club")]}
    (goal,) = draft_goals([DomainStanding("a", 30, 70)], on=ON, services=services)
    kinds = [(action.kind, action.step, action.service_id) for action in goal.actions]
    assert kinds == [
        (SuggestedKind.REFERRAL, Step.REFER, "svc-1"),
        (SuggestedKind.CLIENT_STEP, Step.PRACTISE, None),
    ]


def test_without_a_service_the_caseworker_is_asked_to_find_one():
    (goal,) = draft_goals([DomainStanding("a", 30, 70, falling=True)], on=ON)
    steps = [action.step for action in goal.actions]
    assert steps == [Step.CHECK_FALL, Step.FIND_SERVICE, Step.PRACTISE]
    assert goal.actions[-1].due_on == goal.review_on


scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
norms = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
standings_lists = st.lists(
    st.builds(
        DomainStanding,
        domain_id=st.text(min_size=1, max_size=5),
        score=scores,
        host_norm=norms,
        falling=st.booleans(),
    ),
    max_size=15,
    unique_by=lambda standing: standing.domain_id,
)


@given(standings_lists, st.integers(min_value=0, max_value=10))
def test_priorities_are_falling_first_then_by_gap(standings, max_goals):
    chosen = priorities(standings, max_goals=max_goals)
    assert len(chosen) <= max_goals
    assert all(standing.score is not None for standing in chosen)
    falling = [standing.falling for standing in chosen]
    assert falling == sorted(falling, reverse=True)
    gaps = [s.gap for s in chosen if not s.falling and s.gap is not None]
    assert gaps == sorted(gaps, reverse=True)
    # Nothing left out is more urgent than something chosen.
    if len(chosen) == max_goals and max_goals:
        left_out = [s for s in standings if s not in chosen and s.score is not None]
        if any(not s.falling for s in chosen):
            assert not any(s.falling for s in left_out)


@given(scores, norms)
def test_a_target_lies_between_the_score_and_the_norm_or_100(score, norm):
    standing = DomainStanding("x", score, host_norm=norm)
    target = target_for(standing)
    if score is None:
        assert target is None
        return
    assert target is not None and score <= target <= 100
    assert target == int(target)
    if norm is not None and norm > score:
        assert target <= max(norm, 0) + 1


@given(standings_lists)
def test_every_goal_has_a_target_a_later_review_and_a_client_step(standings):
    for goal in draft_goals(standings, on=ON):
        assert goal.review_on > ON
        assert goal.actions[-1].kind is SuggestedKind.CLIENT_STEP
        assert all(action.due_on <= goal.review_on for action in goal.actions)
