"""The state table of a referral."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathmark.referrals import states
from pathmark.referrals.states import (
    ACCEPTED,
    CLOSED,
    COMPLETED,
    DECLINED,
    DRAFT,
    OPEN,
    RECEIVER,
    SENDER,
    SENT,
    STARTED,
    STATES,
    WITHDRAWN,
    TransitionError,
    check_transition,
    is_overdue,
    next_states,
)


def test_the_whole_loop_alternates_sides_as_expected():
    path = [(DRAFT, SENT, SENDER), (SENT, ACCEPTED, RECEIVER), (ACCEPTED, STARTED, RECEIVER)]
    path.append((STARTED, COMPLETED, RECEIVER))
    for current, new, side in path:
        check_transition(current, new, side=side)


def test_receiver_cannot_send_a_draft():
    with pytest.raises(TransitionError) as refused:
        check_transition(DRAFT, SENT, side=RECEIVER)
    assert refused.value.code == "other_side"


def test_sender_cannot_accept_their_own_referral():
    with pytest.raises(TransitionError) as refused:
        check_transition(SENT, ACCEPTED, side=SENDER)
    assert refused.value.code == "other_side"


def test_declining_needs_a_reason_from_the_list():
    with pytest.raises(TransitionError) as refused:
        check_transition(SENT, DECLINED, side=RECEIVER)
    assert refused.value.code == "reason_needed"
    check_transition(SENT, DECLINED, side=RECEIVER, reason=states.CHILDCARE)


def test_a_reason_is_refused_on_anything_but_a_decline():
    with pytest.raises(TransitionError) as refused:
        check_transition(SENT, ACCEPTED, side=RECEIVER, reason=states.OTHER)
    assert refused.value.code == "reason_only_for_decline"


def test_nothing_follows_a_closed_referral():
    with pytest.raises(TransitionError) as refused:
        check_transition(COMPLETED, STARTED, side=RECEIVER)
    assert refused.value.code == "closed"


def test_overdue_only_when_sent_and_past_the_response_days():
    sent = date(2026, 3, 2)
    assert not is_overdue(SENT, sent_on=sent, response_days=5, today=date(2026, 3, 7))
    assert is_overdue(SENT, sent_on=sent, response_days=5, today=date(2026, 3, 8))
    assert not is_overdue(ACCEPTED, sent_on=sent, response_days=5, today=date(2026, 4, 1))


def test_every_state_is_open_closed_or_a_draft():
    assert set(STATES) == OPEN | CLOSED | {DRAFT}
    assert not OPEN & CLOSED


@given(st.sampled_from(STATES), st.sampled_from(STATES), st.sampled_from([SENDER, RECEIVER]))
def test_the_check_agrees_with_next_states(current, new, side):
    reason = states.OTHER if new == DECLINED else ""
    allowed = new in next_states(current, side)
    try:
        check_transition(current, new, side=side, reason=reason)
    except TransitionError:
        assert not allowed
    else:
        assert allowed


@given(st.sampled_from(sorted(CLOSED)), st.sampled_from([SENDER, RECEIVER]))
def test_closed_is_final(current, side):
    assert next_states(current, side) == ()


@given(st.sampled_from(sorted(OPEN | {DRAFT})))
def test_the_sender_may_always_withdraw_what_is_not_closed(current):
    assert WITHDRAWN in next_states(current, SENDER)
