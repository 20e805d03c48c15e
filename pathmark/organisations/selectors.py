"""Reading organisations: who may manage them, the partnership's list, and what a shorter
retention period would mean. Organisation settings are not personal data, so these reads
are not audited; every change is (see services)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import Membership, Organisation, Role


def acting_memberships() -> QuerySet[Membership]:
    """The memberships a user may act through (active, of an active organisation), in the
    order a session that chose none falls back on: the oldest first. The scope middleware, the
    sign-in backend and the services that end memberships all read them through this."""
    return Membership.objects.filter(is_active=True, organisation__is_active=True).order_by(
        "created_at", "pk"
    )


def is_administrator_of(user: object, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user,
        organisation=organisation,
        role=Role.ADMINISTRATOR,
        is_active=True,
        user__is_active=True,
    ).exists()


def host_organisation() -> Organisation | None:
    """The partnership's host organisation (usually the council), if there is an active one."""
    return Organisation.objects.filter(is_partnership_host=True, is_active=True).first()


def host_organisation_of(user: object) -> Organisation | None:
    """The partnership's host organisation, if `user` is one of its active administrators:
    they, and only they, add organisations to the partnership."""
    host = host_organisation()
    if host is None or not is_administrator_of(user, host):
        return None
    return host


@dataclass(frozen=True)
class PartnerOrganisation:
    organisation: Organisation
    members: int
    administrators: int


def partnership_organisations() -> list[PartnerOrganisation]:
    """Every organisation of the partnership with how many active members and
    administrators it has (counts only: no one's name)."""
    active = Q(memberships__is_active=True, memberships__user__is_active=True)
    rows = Organisation.objects.annotate(
        member_count=Count("memberships", filter=active),
        administrator_count=Count(
            "memberships", filter=active & Q(memberships__role=Role.ADMINISTRATOR)
        ),
    ).order_by("name", "pk")
    return [
        PartnerOrganisation(
            organisation=row,
            members=row.member_count,  # type: ignore[attr-defined]
            administrators=row.administrator_count,  # type: ignore[attr-defined]
        )
        for row in rows
    ]
