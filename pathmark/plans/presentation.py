"""A plan as the pages show it: domain titles in the reader's language, targets in words,
and changes as "who changed what, from what to what"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy

from pathmark.assessments.selectors import instrument_of
from pathmark.instruments.definition import Instrument
from pathmark.instruments.registry import UnknownInstrument, get_instrument

from . import selectors
from .models import Action, ActionKind, Agreement, Goal, Plan, PlanChange, PlanStatus, Review

FIELD_LABELS = {
    "priority": gettext_lazy("Priority"),
    "target_text": gettext_lazy("What the person aims for"),
    "target_score": gettext_lazy("Target score"),
    "review_date": gettext_lazy("Review by"),
    "kind": gettext_lazy("Kind of action"),
    "text": gettext_lazy("Action"),
    "service": gettext_lazy("Service"),
    "due_date": gettext_lazy("Due by"),
    "done_at": gettext_lazy("Done"),
    "status": gettext_lazy("Status"),
    "goal": gettext_lazy("Goal"),
    "goals": gettext_lazy("Goals drafted"),
    "reviewed_on": gettext_lazy("Review"),
}

KIND_LABELS = {
    "drafted": gettext_lazy("Drafted from an assessment"),
    "goal_added": gettext_lazy("Added a goal"),
    "goal_changed": gettext_lazy("Changed a goal"),
    "goal_removed": gettext_lazy("Removed a goal"),
    "action_added": gettext_lazy("Added an action"),
    "action_changed": gettext_lazy("Changed an action"),
    "action_removed": gettext_lazy("Removed an action"),
    "agreed": gettext_lazy("Recorded the client's agreement"),
    "reviewed": gettext_lazy("Recorded a review"),
    "closed": gettext_lazy("Closed the plan"),
}


def instrument_of_plan(plan: Plan) -> Instrument:
    if plan.assessment_id is not None and plan.assessment is not None:
        return instrument_of(plan.assessment.instrument_version)
    slug = plan.goals.values_list("instrument_slug", flat=True).first() or "integration-journey"
    try:
        return get_instrument(slug)
    except UnknownInstrument:
        return get_instrument("integration-journey")


def goal_title(goal: Goal, language: str) -> str:
    return selectors.domain_title(goal.instrument_slug, goal.domain_id, language)


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    title: str
    actions: tuple[Action, ...]
    # The domain's score on the assessment linked to the latest review, if it has one.
    reviewed_score: float | None = None

    @property
    def target_reached(self) -> bool:
        target = self.goal.target_score
        return (
            target is not None
            and self.reviewed_score is not None
            and (self.reviewed_score >= target)
        )


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    goals: tuple[GoalView, ...]
    agreements: tuple[Agreement, ...]
    reviews: tuple[Review, ...]

    @property
    def actions(self) -> list[Action]:
        return [action for goal in self.goals for action in goal.actions]

    @property
    def latest_agreement(self) -> Agreement | None:
        return self.agreements[0] if self.agreements else None

    @property
    def changed_since_agreement(self) -> bool:
        agreement = self.latest_agreement
        return agreement is not None and self.plan.version > agreement.plan_version + 1

    @property
    def is_agreed(self) -> bool:
        return self.plan.status == PlanStatus.AGREED


def _reviewed_score(goal: Goal, reviews: tuple[Review, ...]) -> float | None:
    """The goal's domain on the newest reviewed assessment of the same questionnaire."""
    for review in reviews:
        assessment = review.next_assessment
        if assessment is not None and assessment.instrument_version.slug == goal.instrument_slug:
            score = assessment.domain_scores.get(goal.domain_id)
            return float(score) if score is not None else None
    return None


def plan_view(plan: Plan, *, language: str) -> PlanView:
    goals = plan.goals.prefetch_related("actions__service").order_by("priority", "pk")
    reviews = tuple(
        plan.reviews.select_related("recorded_by", "next_assessment__instrument_version")
    )
    return PlanView(
        plan=plan,
        goals=tuple(
            GoalView(
                goal,
                goal_title(goal, language),
                tuple(goal.actions.all()),
                reviewed_score=_reviewed_score(goal, reviews),
            )
            for goal in goals
        ),
        agreements=tuple(plan.agreements.select_related("recorded_by")),
        reviews=reviews,
    )


@dataclass(frozen=True)
class ChangeRow:
    change: PlanChange
    what: str
    details: tuple[dict[str, Any], ...]


def _record_label(record: str, language: str, instrument_slug: str) -> str:
    if record.startswith("goal:"):
        return selectors.domain_title(instrument_slug, record.removeprefix("goal:"), language)
    return ""


def _value(field: str, value: str) -> str:
    choices = {"status": dict(PlanStatus.choices), "kind": dict(ActionKind.choices)}.get(field)
    return str(choices.get(value, value)) if choices else value


def change_rows(changes: list[PlanChange]) -> list[ChangeRow]:
    """Each change in words: what kind, and for each field its label, before and after."""
    language = get_language() or "en"
    slugs: dict[int, str] = {}
    rows = []
    for change in changes:
        if change.plan_id not in slugs:
            slugs[change.plan_id] = (
                Goal.objects.filter(plan_id=change.plan_id)
                .values_list("instrument_slug", flat=True)
                .first()
                or "integration-journey"
            )
        details = tuple(
            {
                "about": _record_label(item.get("record", ""), language, slugs[change.plan_id]),
                "field": str(FIELD_LABELS.get(item.get("field", ""), item.get("field", ""))),
                "before": _value(item.get("field", ""), item.get("before", "")),
                "after": _value(item.get("field", ""), item.get("after", "")),
            }
            for item in change.changes
        )
        rows.append(ChangeRow(change, str(KIND_LABELS.get(change.kind, change.kind)), details))
    return rows
