"""What the plans app lets the apps above it do (referrals), so it never imports them.
See README.md for the contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathmark.core.hooks import Hook


@dataclass(frozen=True)
class ActionStatus:
    """What the plan page shows beside an action: `label` in the reader's language (e.g.
    "Referral accepted"), `url` to follow (the referral, or the page that sends one), and
    `tone` for the status tag: "neutral", "good", "warning" or "bad"."""

    label: str
    url: str = ""
    tone: str = "neutral"


action_statuses = Hook(
    "plans.action_statuses",
    """Asked with `actions` (the plan's `Action` rows, already read in the request's scope)
    and `request` while a plan page is drawn. Each receiver returns a dict `{action.pk:
    ActionStatus}` for the actions it knows about (e.g. the referral of a `referral` action),
    or None. Later receivers win on the same action.""",
)

service_suggestions = Hook(
    "plans.service_suggestions",
    """Asked with `person`, `instrument_slug`, `domain_id` and `services` (the referable
    directory services whose themes address that domain) while a plan is drafted. A
    receiver returns those services (or a subset), best first, to rank the suggested
    referral; None to leave the order alone. The first non-None answer is used.""",
)


def statuses_for(*, actions: list[Any], request: Any) -> dict[int, ActionStatus]:
    found: dict[int, ActionStatus] = {}
    for answer in action_statuses(actions=actions, request=request):
        if answer:
            found.update(answer)
    return found


def ranked_services(
    *, person: Any, instrument_slug: str, domain_id: str, services: list[Any]
) -> list[Any]:
    for answer in service_suggestions(
        person=person, instrument_slug=instrument_slug, domain_id=domain_id, services=services
    ):
        if answer is not None:
            return list(answer)
    return services
