"""The life of a referral as a table: which state may follow which, and which side (the
sending organisation or the receiving one) may move it. Pure Python (no Django), so the
services, the import and the tests read one table.

    draft ──send──▶ sent ──accept──▶ accepted ──start──▶ started ──▶ completed
                     │                  │                   │
                     ├──▶ declined      ├──▶ did not attend ├──▶ did not attend
    (the sender may withdraw it from any open state, or a draft)

A referral is *open* while the receiving organisation is working on it (sent, accepted,
started): only then does that organisation see the person. A draft is the sender's alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

DRAFT = "draft"
SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
STARTED = "started"
COMPLETED = "completed"
DID_NOT_ATTEND = "did_not_attend"
WITHDRAWN = "withdrawn"
STATES = (DRAFT, SENT, ACCEPTED, DECLINED, STARTED, COMPLETED, DID_NOT_ATTEND, WITHDRAWN)

SENDER = "sender"
RECEIVER = "receiver"

# state -> {next state: the side that may move it there}
TRANSITIONS: Mapping[str, Mapping[str, str]] = {
    DRAFT: {SENT: SENDER, WITHDRAWN: SENDER},
    SENT: {ACCEPTED: RECEIVER, DECLINED: RECEIVER, WITHDRAWN: SENDER},
    ACCEPTED: {STARTED: RECEIVER, DID_NOT_ATTEND: RECEIVER, WITHDRAWN: SENDER},
    STARTED: {COMPLETED: RECEIVER, DID_NOT_ATTEND: RECEIVER, WITHDRAWN: SENDER},
}

OPEN = frozenset({SENT, ACCEPTED, STARTED})
CLOSED = frozenset({DECLINED, COMPLETED, DID_NOT_ATTEND, WITHDRAWN})
# The person went at least once: these count as evidence of what a service does.
ATTENDED = frozenset({STARTED, COMPLETED})
# The receiving organisation has answered (accepted or declined, or moved on since).
ANSWERED = frozenset({ACCEPTED, DECLINED, STARTED, COMPLETED, DID_NOT_ATTEND})

# Why a referral was declined.
NO_CAPACITY = "no_capacity"
LANGUAGE = "language"
ELIGIBILITY = "eligibility"
TRAVEL = "travel"
CHILDCARE = "childcare"
OTHER = "other"
DECLINE_REASONS = (NO_CAPACITY, LANGUAGE, ELIGIBILITY, TRAVEL, CHILDCARE, OTHER)


class TransitionError(ValueError):
    """A change the table does not allow; `code` says which rule refused it."""

    def __init__(self, code: str, *, current: str, new: str) -> None:
        self.code = code
        self.current = current
        self.new = new
        super().__init__(f"{code}: {current} -> {new}")


def next_states(current: str, side: str) -> tuple[str, ...]:
    """The states `side` may move a referral in `current` to, in the table's order."""
    return tuple(new for new, who in TRANSITIONS.get(current, {}).items() if who == side)


def check_transition(current: str, new: str, *, side: str, reason: str = "") -> None:
    """Raises TransitionError unless `side` may move a referral from `current` to `new`
    (with a decline reason when declining, and only then)."""
    if new not in STATES:
        raise TransitionError("unknown_state", current=current, new=new)
    allowed = TRANSITIONS.get(current, {})
    if new not in allowed:
        raise TransitionError(
            "closed" if current in CLOSED else "not_next", current=current, new=new
        )
    if allowed[new] != side:
        raise TransitionError("other_side", current=current, new=new)
    if new == DECLINED and reason not in DECLINE_REASONS:
        raise TransitionError("reason_needed", current=current, new=new)
    if new != DECLINED and reason:
        raise TransitionError("reason_only_for_decline", current=current, new=new)


def is_overdue(status: str, *, sent_on: date | None, response_days: int, today: date) -> bool:
    """Sent and not answered within the service's response time."""
    if status != SENT or sent_on is None:
        return False
    return today > sent_on + timedelta(days=response_days)
