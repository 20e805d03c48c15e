"""What the privacy app lets the apps above it do, so it never imports them."""

from __future__ import annotations

from pathmark.core.hooks import Hook

recent_contact = Hook(
    "privacy.recent_contact",
    """Asked with `cutoff` (a date) when deciding whom the retention sweep erases. Each
    receiver returns a queryset of its own rows about a person dated on or after `cutoff`,
    correlated with the person as `OuterRef("pk")` (e.g. assessments done since then), or
    None. A person with any such row has been in contact and is kept.""",
)

person_erased = Hook(
    "privacy.person_erased",
    """Called inside the erasure transaction, after every provider erased its records, with
    `person` and `by`. For what is not a record about the person but holds them (files made
    for download). Returns `(key, count)` for the erasure's audit entry, or None.""",
)

retention_sweep = Hook(
    "privacy.retention_sweep",
    """Called by the nightly retention sweep with `organisation` (or None for all) and
    `dry_run`, for apps that keep short-lived files. Returns `(key, count)` or None.""",
)
