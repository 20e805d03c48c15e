"""Reading referrals, always through the scoped manager: the sender sees its own referrals of
people it sees, the organisation running the service sees them while they are open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from pathmark.audit.services import record
from pathmark.directory.models import Service
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import prepared
from pathmark.people import access
from pathmark.people.models import Person

from . import states
from .models import Referral, ReferralEvent


def _with_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    # A referral is visible only where its person is (Referral.visible_in_scope); the join
    # goes through access.visible_related all the same, the one rule for joined people.
    return access.visible_related(queryset, "person").select_related(
        "person", "service", "service__organization", "organisation", "receiving_organisation"
    )


def referral_for(*, actor: Any, organisation: Organisation, referral_id: int) -> Referral:
    """The referral if the scope may see it; `Referral.DoesNotExist` otherwise (a 404)."""
    referral = _with_related(Referral.objects.all()).get(pk=referral_id)
    record(actor=actor, organisation=organisation, action="referral.viewed", target=referral)
    return referral


def events_of(referral: Referral) -> QuerySet[ReferralEvent]:
    return ReferralEvent.objects.filter(referral=referral).select_related("by", "organisation")


def is_overdue(referral: Referral, *, today: Any = None) -> bool:
    return states.is_overdue(
        referral.status,
        sent_on=timezone.localdate(referral.sent_at) if referral.sent_at else None,
        response_days=referral.service.response_days,
        today=today or timezone.localdate(),
    )


@dataclass(frozen=True)
class Listed:
    referral: Referral
    overdue: bool


def inbox(*, actor: Any, organisation: Organisation) -> list[Listed]:
    """Open referrals to the organisation's services, the longest waiting first."""
    referrals = _with_related(
        Referral.objects.filter(receiving_organisation=organisation, status__in=states.OPEN)
    ).order_by("sent_at", "pk")
    found = [Listed(referral, is_overdue(referral)) for referral in referrals]
    record(
        actor=actor,
        organisation=organisation,
        action="referral.listed",
        extra={"list": "inbox", "count": len(found)},
    )
    return found


def sent_by(*, actor: Any, organisation: Organisation) -> list[Listed]:
    """The organisation's referrals, overdue ones first, then the newest."""
    referrals = _with_related(Referral.objects.filter(organisation=organisation)).order_by(
        "-created_at", "-pk"
    )
    found = [Listed(referral, is_overdue(referral)) for referral in referrals]
    found.sort(key=lambda listed: not listed.overdue)
    record(
        actor=actor,
        organisation=organisation,
        action="referral.listed",
        extra={"list": "sent", "count": len(found)},
    )
    return found


def referrals_of(person: Person) -> list[Listed]:
    """The person's referrals the scope may see, newest first, for the person page, which has
    already read the person in this scope and audited it. No person is joined in (each
    referral carries `person` itself), so the referrals' own scope is all that applies: the
    sender's referrals of people it sees, the receiver's open ones."""
    found = []
    for referral in _referrals_of(person.pk):
        referral.person = person
        found.append(Listed(referral, is_overdue(referral)))
    return found


@prepared
def _referrals_of(person_id: int) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(person_id=person_id)
        .select_related("service")
        .order_by("-created_at", "-pk")
    )


def open_referral_for_action(action: Any) -> Referral | None:
    """The referral (a draft or open one) already carrying out a plan action, if any."""
    return (
        Referral.objects.filter(plan_action=action, status__in=states.OPEN | {states.DRAFT})
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_for_actions(actions: list[Any]) -> dict[int, Listed]:
    """The newest referral the scope sees for each of these plan actions (for the plan page,
    which has already audited reading the plan), by action id."""
    ids = [action.pk for action in actions]
    if not ids:
        return {}
    found: dict[int, Listed] = {}
    referrals = _with_related(Referral.objects.filter(plan_action_id__in=ids)).order_by(
        "-created_at", "-pk"
    )
    for referral in referrals:
        assert referral.plan_action_id is not None
        if referral.plan_action_id not in found:
            found[referral.plan_action_id] = Listed(referral, is_overdue(referral))
    return found


@dataclass(frozen=True)
class InboxSummary:
    """How many open referrals wait where, for the receiving organisation's home page:
    counts only, so it names no one (and is not a read of anyone's record)."""

    waiting: int
    overdue: int
    accepted: int
    started: int
    runs_services: bool

    @property
    def open(self) -> int:
        return self.waiting + self.accepted + self.started


def inbox_summary(*, organisation: Organisation) -> InboxSummary:
    today = timezone.localdate()
    counts = {states.SENT: 0, states.ACCEPTED: 0, states.STARTED: 0}
    overdue = 0
    for status, sent_at, response_days in Referral.objects.filter(
        receiving_organisation=organisation, status__in=states.OPEN
    ).values_list("status", "sent_at", "service__response_days"):
        counts[status] += 1
        overdue += states.is_overdue(
            status,
            sent_on=timezone.localdate(sent_at) if sent_at else None,
            response_days=response_days,
            today=today,
        )
    return InboxSummary(
        waiting=counts[states.SENT],
        overdue=overdue,
        accepted=counts[states.ACCEPTED],
        started=counts[states.STARTED],
        runs_services=Service.objects.filter(organization__organisation=organisation).exists(),
    )
