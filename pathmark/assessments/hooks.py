"""What the assessments app lets the apps above it do when assessments change."""

from __future__ import annotations

from pathmark.core.hooks import Hook

completed_assessments_changed = Hook(
    "assessments.completed_assessments_changed",
    """Called inside the transaction that completed, imported, rescored or removed completed
    assessments, with `person_ids` (the people whose completed assessments changed), `by`
    (the acting user, or None for system work) and `reason` (a short text). `many` is True
    for work that changes many people at once (an import, the demo): a receiver may then
    defer its work until after the commit rather than hold the transaction up.""",
)
