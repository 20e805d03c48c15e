"""How the plans app answers the hooks of the apps below it (connected in
`PlansConfig.ready()`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from pathmark.assessments.hooks import NextStep
from pathmark.assessments.selectors import latest_completed_id
from pathmark.organisations.permissions import role_may
from pathmark.organisations.scoping import system_scope
from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person

from .models import Plan
from .selectors import plans_of


def _may_draft(request: Any, person: Person) -> bool:
    membership = getattr(request, "membership", None)
    return (
        membership is not None
        and role_may(membership.role, "plan.edit")
        and person.status == Person.Status.ACTIVE
    )


@dataclass(frozen=True)
class PersonPlans:
    plans: list[Plan]
    draft_url: str


def person_page_section(*, person: Person, request: Any) -> PersonPageSection:
    """The plans part of the person page: their plans, and drafting one from the latest
    completed assessment."""
    draft_url = ""
    if _may_draft(request, person):
        latest = latest_completed_id(person)
        if latest is not None:
            draft_url = reverse("plans:draft", kwargs={"assessment_id": latest})
    return PersonPageSection(
        template="plans/_person_section.html",
        context=PersonPlans(plans=list(plans_of(person)), draft_url=draft_url),
        order=15,
    )


def result_next_step(*, assessment: Any, request: Any) -> list[NextStep] | None:
    """ "Draft a plan" on a completed assessment's result page."""
    if not _may_draft(request, assessment.person):
        return None
    return [
        NextStep(
            _("Draft a plan from this assessment"),
            reverse("plans:draft", kwargs={"assessment_id": assessment.pk}),
        )
    ]


def plans_follow_merge(*, kept: Person, merged: Person, by: Any, organisation: Any) -> Any:
    """For `people.hooks.person_merged`: the merged record's plans, whichever organisation
    holds them, become the kept record's (goals, actions and reviews follow their plan)."""
    with system_scope(f"merge of person {merged.pk} into {kept.pk}"):
        moved = Plan.objects.filter(person_id=merged.pk).update(person_id=kept.pk)
    return ("plans", moved)
