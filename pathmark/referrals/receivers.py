"""How the referrals app answers the hooks of the apps below it (connected in
`ReferralsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from pathmark.organisations.permissions import role_may
from pathmark.people.hooks import PersonPageSection
from pathmark.people.models import Person
from pathmark.plans.hooks import ActionStatus
from pathmark.plans.models import ActionKind

from . import states
from .matching import match
from .models import Referral
from .selectors import Listed, latest_for_actions, referrals_of


def person_page_section(*, person: Person, request: Any) -> Any:
    """The person's referrals on the person page, with where each stands."""
    return PersonPageSection(
        template="referrals/_person_section.html",
        context={"person": person, "referrals": referrals_of(person)},
        order=30,
    )


def _label(referral: Referral, overdue: bool) -> tuple[str, str]:
    """What the plan page says about an action's referral, and the tone of its tag."""
    status = referral.status
    if status == states.SENT:
        if overdue:
            return _("Referral sent: overdue, no answer yet"), "warning"
        return _("Referral sent"), "neutral"
    if status == states.DECLINED:
        return (
            _("Referral declined: %(reason)s") % {"reason": referral.get_decline_reason_display()},
            "bad",
        )
    labels = {
        states.DRAFT: (_("Referral drafted, not sent"), "neutral"),
        states.ACCEPTED: (_("Referral accepted"), "good"),
        states.STARTED: (_("Referral started: the person is attending"), "good"),
        states.COMPLETED: (_("Referral completed"), "good"),
        states.DID_NOT_ATTEND: (_("Referral: the person did not attend"), "bad"),
        states.WITHDRAWN: (_("Referral withdrawn"), "warning"),
    }
    return labels[status]


def plan_action_statuses(*, actions: list[Any], request: Any) -> dict[int, ActionStatus]:
    """Beside each referral action of a plan: where its referral stands, linking to it; or,
    for the plan's own organisation, a link to send it when none is on its way."""
    referral_actions = [action for action in actions if action.kind == ActionKind.REFERRAL]
    if not referral_actions:
        return {}
    latest: dict[int, Listed] = latest_for_actions(referral_actions)
    organisation = getattr(request, "organisation", None)
    membership = getattr(request, "membership", None)
    may_send = membership is not None and role_may(membership.role, "referral.send")
    found: dict[int, ActionStatus] = {}
    for action in referral_actions:
        listed = latest.get(action.pk)
        plan = action.goal.plan
        holds_plan = organisation is not None and plan.organisation_id == organisation.pk
        if listed is not None and (
            listed.referral.status not in {states.WITHDRAWN, states.DECLINED}
            or not (may_send and holds_plan and plan.is_open)
        ):
            label, tone = _label(listed.referral, listed.overdue)
            found[action.pk] = ActionStatus(
                label=label,
                url=reverse("referrals:detail", args=[listed.referral.pk]),
                tone=tone,
            )
        elif may_send and holds_plan and plan.is_open and action.service_id is not None:
            if listed is not None:
                label, tone = _label(listed.referral, listed.overdue)
                label = _("%(state)s. Send it again") % {"state": label}
            else:
                label, tone = _("Send the referral"), "neutral"
            found[action.pk] = ActionStatus(
                label=label,
                url=reverse("referrals:from_plan_action", args=[action.pk]),
                tone=tone,
            )
    return found


def plan_service_suggestions(
    *, person: Person, instrument_slug: str, domain_id: str, services: list[Any]
) -> list[Any] | None:
    """While a plan is drafted: of the services that work on the goal's domain, those that
    may take this person (eligibility, taking referrals, a language they speak or
    interpreting), best first by "where best to refer"'s ranking, so the drafted referral
    goes to the best match and never to a service that would have to decline."""
    if not services:
        return None
    by_id = {service.pk: service for service in services}
    found = match(person, goal_domains=[domain_id], limit=None, among=by_id)
    return [by_id[s.service.id] for s in found.ranking.suggestions if s.service.id in by_id]
