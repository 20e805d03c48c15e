"""What the accounts app lets the apps above it do, so it never imports them."""

from __future__ import annotations

from pathmark.core.hooks import Hook

people_still_seen = Hook(
    "accounts.people_still_seen",
    """Asked with `person_ids` (a set of ids named by the audit entries on one page of the
    audit log) in the request's scope. Each receiver returns the subset the organisation
    still sees. The page shows the reference of those only: an organisation's log keeps the
    entries about a person it saw through a referral or a consent since ended, but no longer
    names them.""",
)


def still_seen(person_ids: set[int]) -> set[int]:
    if not person_ids:
        return set()
    seen: set[int] = set()
    for answer in people_still_seen(person_ids=person_ids):
        seen |= set(answer) & person_ids
    return seen
