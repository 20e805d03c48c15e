"""What the assessments app lets the apps above it do when assessments change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathmark.core.hooks import Hook

completed_assessments_changed = Hook(
    "assessments.completed_assessments_changed",
    """Called inside the transaction that completed, imported, rescored or removed completed
    assessments, with `person_ids` (the people whose completed assessments changed), `by`
    (the acting user, or None for system work) and `reason` (a short text). `many` is True
    for work that changes many people at once (an import, the demo): a receiver may then
    defer its work until after the commit rather than hold the transaction up.""",
)


@dataclass(frozen=True)
class NextStep:
    """A link among the result page's next steps, drawn for an app above assessments:
    `label` in the reader's language, `url` to follow."""

    label: str
    url: str


result_next_steps = Hook(
    "assessments.result_next_steps",
    """Asked with `assessment` (a completed assessment, already read and audited in the
    request's scope) and `request` while its result page is drawn. Each receiver returns a
    list of `NextStep` (e.g. "Draft a plan from this assessment"), or None for nothing (a role
    that may not act on it).""",
)


def next_steps_for(*, assessment: Any, request: Any) -> list[NextStep]:
    return [
        step
        for answer in result_next_steps(assessment=assessment, request=request)
        if answer
        for step in answer
    ]
