"""What the plans app holds about a person, for subject access and erasure (see
`privacy.registry`). Registered in `PlansConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pathmark.people.models import ConsentMethod, Person
from pathmark.privacy.registry import Provider, Row, iso, register

from .models import ActionKind, Plan, PlanStatus


def export_plans(person: Person) -> list[Row]:
    plans = (
        Plan.objects.filter(person_id=person.pk)
        .select_related("organisation")
        .prefetch_related("goals__actions", "agreements", "reviews")
        .order_by("created_at", "pk")
    )
    return [
        {
            "reference": plan.reference,
            "organisation": plan.organisation.name,
            "status": plan.status,
            "created_at": iso(plan.created_at),
            "closed_at": iso(plan.closed_at),
            "goals": [
                {
                    "instrument_slug": goal.instrument_slug,
                    "domain_id": goal.domain_id,
                    "priority": goal.priority,
                    "target_text": goal.target_text,
                    "target_score": goal.target_score,
                    "review_date": iso(goal.review_date),
                }
                for goal in plan.goals.all()
            ],
            # A table of its own beside the goals: the readable copy draws one level of
            # tables inside a record, not tables inside tables.
            "actions": [
                {
                    "domain_id": goal.domain_id,
                    "kind": action.kind,
                    "text": action.text,
                    "service_id": action.service_id,
                    "due_date": iso(action.due_date),
                    "done_at": iso(action.done_at),
                }
                for goal in plan.goals.all()
                for action in goal.actions.all()
            ],
            "agreements": [
                {
                    "agreed_on": iso(agreement.agreed_on),
                    "method": agreement.method,
                    "agreed_by": agreement.agreed_by,
                    "plan_version": agreement.plan_version,
                }
                for agreement in plan.agreements.all()
            ],
            "reviews": [
                {"reviewed_on": iso(review.reviewed_on), "progress_notes": review.progress_notes}
                for review in plan.reviews.all()
            ],
        }
        for plan in plans
    ]


def erase_plans(person: Person, *, by: Any) -> int:
    """Deletes the person's plans with their goals, actions, agreements, reviews and history:
    they are free text about the person, with no aggregate worth keeping."""
    deleted, _by_model = Plan.objects.filter(person_id=person.pk).delete()
    return int(deleted)


def register_plans() -> None:
    register(
        Provider(
            key="plans.plans",
            export_order=60,
            # Referrals (which point at plan actions) are erased first: see README.md.
            erase_order=60,
            title=_("Personal integration plans"),
            export=export_plans,
            erase=erase_plans,
            labels={
                "reference": _("Reference"),
                "organisation": _("Organisation"),
                "status": _("Status"),
                "created_at": _("Drafted"),
                "closed_at": _("Closed"),
                "goals": _("Goals"),
                "instrument_slug": _("Questionnaire code"),
                "domain_id": _("Domain code"),
                "priority": _("Priority"),
                "target_text": _("What the person aims for"),
                "target_score": _("Target score (0-100)"),
                "review_date": _("Review by"),
                "actions": _("Actions"),
                "kind": _("Kind"),
                "text": _("What to do"),
                "service_id": _("Service"),
                "due_date": _("Due by"),
                "done_at": _("Done"),
                "agreements": _("Agreements"),
                "agreed_on": _("Date agreed"),
                "method": _("How it was agreed"),
                "agreed_by": _("Agreed by, if not the client"),
                "plan_version": _("Version agreed"),
                "reviews": _("Reviews"),
                "reviewed_on": _("Date of review"),
                "progress_notes": _("Progress"),
            },
            choices={
                "status": dict(PlanStatus.choices),
                "kind": dict(ActionKind.choices),
                "method": dict(ConsentMethod.choices),
            },
        )
    )
