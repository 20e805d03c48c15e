"""What the organisations app lets the apps above it answer, so it never imports them."""

from __future__ import annotations

from pathmark.core.hooks import Hook

people_past_retention = Hook(
    "organisations.people_past_retention",
    """Asked with `organisation`, `years` and `today` before an administrator shortens the
    retention period: each receiver returns how many of the organisation's clients the
    retention sweep would erase with that period. Runs in the organisation's scope.""",
)


def count_past_retention(organisation: object, *, years: int, today: object) -> int:
    return sum(people_past_retention(organisation=organisation, years=years, today=today))


enrol_first_administrator = Hook(
    "organisations.enrol_first_administrator",
    """Asked, inside the transaction that adds an organisation to the partnership, with `by`,
    `organisation`, `email` and `name`: the accounts app enrols (or invites) the organisation's
    first administrator and returns what it added. Raises ValidationError naming `email` or
    `name` when it cannot.""",
)
