"""Drafting a plan from a completed assessment: which domains come first, what to aim for by
when, and what to do about each. Pure (no Django): the services feed it the person's standing
in each domain (score, host norm, whether it is falling) and the services that could help.

The rules, in the order a caseworker would reason:

1. A domain whose journey is *falling* (it turned down relative to the host norm since the
   last assessment) comes first, whatever its gap: a fall is the most urgent thing to catch.
2. Then the domains below the host norm, the *largest gap* first.
3. Then domains with no host norm, the lowest score first (there is nothing to measure a gap
   against, so the score itself is the need). Domains at or above the norm that are not
   falling are not priorities at all.
4. At most `max_goals` goals. Ties keep the instrument's own order of domains.

Each goal aims to close `share_of_gap` of the gap by its review, but at least
`minimum_step` points (less would be lost in the measurement error) and never past the host
norm or 100. A falling goal is reviewed sooner (`falling_review_days`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


class Reason(enum.StrEnum):
    """Why a domain became a priority; the page and the printout say it in words."""

    FALLING = "falling"
    BELOW_NORM = "below_norm"
    NO_NORM = "no_norm"


class SuggestedKind(enum.StrEnum):
    REFERRAL = "referral"
    CASEWORKER_TASK = "caseworker_task"
    CLIENT_STEP = "client_step"


class Step(enum.StrEnum):
    """What a suggested action is, so the service can word it in the reader's language."""

    REFER = "refer"
    """Refer to `service_id`."""
    FIND_SERVICE = "find_service"
    """No referable service addresses this domain: the caseworker looks for one."""
    CHECK_FALL = "check_fall"
    """Talk with the client about what changed since the last assessment."""
    PRACTISE = "practise"
    """Something the client does themselves between now and the review."""


@dataclass(frozen=True)
class DomainStanding:
    """One domain on the assessment the plan is drafted from."""

    domain_id: str
    score: float | None
    host_norm: float | None = None
    falling: bool = False

    @property
    def gap(self) -> float | None:
        """The host norm minus the score: positive below the norm."""
        if self.score is None or self.host_norm is None:
            return None
        return self.host_norm - self.score


@dataclass(frozen=True)
class ServiceOption:
    """A service that could help with a domain, best first as the caller ranked them."""

    service_id: str
    name: str


@dataclass(frozen=True)
class Rules:
    max_goals: int = 3
    share_of_gap: float = 0.5
    minimum_step: float = 10.0
    review_days: int = 91
    falling_review_days: int = 56
    referral_due_days: int = 14


@dataclass(frozen=True)
class SuggestedAction:
    kind: SuggestedKind
    step: Step
    due_on: date
    service_id: str | None = None
    service_name: str | None = None


@dataclass(frozen=True)
class DraftGoal:
    domain_id: str
    priority: int
    reason: Reason
    baseline_score: float | None
    host_norm: float | None
    target_score: float | None
    review_on: date
    actions: tuple[SuggestedAction, ...] = field(default_factory=tuple)


def _order_key(indexed: tuple[int, DomainStanding]) -> tuple[int, float, int]:
    position, standing = indexed
    gap = standing.gap
    if standing.falling:
        return (0, -(gap if gap is not None else -math.inf), position)
    if gap is not None:
        return (1, -gap, position)
    return (2, standing.score if standing.score is not None else math.inf, position)


def _is_candidate(standing: DomainStanding) -> bool:
    if standing.score is None:
        return False
    if standing.falling:
        return True
    gap = standing.gap
    return gap is None or gap > 0


def priorities(standings: Sequence[DomainStanding], *, max_goals: int = 3) -> list[DomainStanding]:
    """The domains to work on, most urgent first (see the module's rules)."""
    candidates = [(i, s) for i, s in enumerate(standings) if _is_candidate(s)]
    candidates.sort(key=_order_key)
    return [standing for _position, standing in candidates[: max(0, max_goals)]]


def reason_for(standing: DomainStanding) -> Reason:
    if standing.falling:
        return Reason.FALLING
    return Reason.BELOW_NORM if standing.gap is not None else Reason.NO_NORM


def target_for(standing: DomainStanding, rules: Rules = Rules()) -> float | None:
    """The score to aim for by the review: a whole number, at least the score, at most 100,
    and no further than the host norm (rounded up) when the score is below it."""
    score = standing.score
    if score is None:
        return None
    gap = standing.gap
    below = gap is not None and gap > 0 and standing.host_norm is not None
    if below and gap is not None and standing.host_norm is not None:
        step = max(rules.minimum_step, gap * rules.share_of_gap)
        ceiling = min(standing.host_norm, 100.0)
    else:
        step, ceiling = rules.minimum_step, 100.0
    return float(min(100, math.ceil(min(score + step, ceiling))))


def _actions(
    reason: Reason,
    services: Sequence[ServiceOption],
    *,
    on: date,
    review_on: date,
    rules: Rules,
) -> tuple[SuggestedAction, ...]:
    soon = on + timedelta(days=rules.referral_due_days)
    actions: list[SuggestedAction] = []
    if reason is Reason.FALLING:
        actions.append(SuggestedAction(SuggestedKind.CASEWORKER_TASK, Step.CHECK_FALL, soon))
    if services:
        best = services[0]
        actions.append(
            SuggestedAction(
                SuggestedKind.REFERRAL,
                Step.REFER,
                soon,
                service_id=best.service_id,
                service_name=best.name,
            )
        )
    else:
        actions.append(SuggestedAction(SuggestedKind.CASEWORKER_TASK, Step.FIND_SERVICE, soon))
    actions.append(SuggestedAction(SuggestedKind.CLIENT_STEP, Step.PRACTISE, review_on))
    return tuple(actions)


def draft_goals(
    standings: Sequence[DomainStanding],
    *,
    on: date,
    services: Mapping[str, Sequence[ServiceOption]] | None = None,
    rules: Rules = Rules(),
) -> list[DraftGoal]:
    """One goal per priority domain, with its target, review date and suggested actions.
    `services` maps a domain id to the services that could help, best first."""
    services = services or {}
    goals = []
    for priority, standing in enumerate(priorities(standings, max_goals=rules.max_goals), 1):
        reason = reason_for(standing)
        days = rules.falling_review_days if reason is Reason.FALLING else rules.review_days
        review_on = on + timedelta(days=days)
        goals.append(
            DraftGoal(
                domain_id=standing.domain_id,
                priority=priority,
                reason=reason,
                baseline_score=standing.score,
                host_norm=standing.host_norm,
                target_score=target_for(standing, rules),
                review_on=review_on,
                actions=_actions(
                    reason,
                    services.get(standing.domain_id, ()),
                    on=on,
                    review_on=review_on,
                    rules=rules,
                ),
            )
        )
    return goals
