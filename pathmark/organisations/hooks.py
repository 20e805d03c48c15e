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
