"""What each role may do. The organisation scope decides *which* records; this decides
*what* a member may do with them. Deny by default: an action not listed is refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from .models import Role

ACTIONS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.CASEWORKER: frozenset(
        {
            "person.view",
            "person.register",
            "person.edit",
            "consent.record",
            "assessment.run",
            # Drafting and changing personal integration plans (plans app).
            "plan.edit",
            # Referring people to services and following the referrals (referrals app).
            "referral.send",
            "referral.view",
        }
    ),
    Role.MANAGER: frozenset(
        {
            "person.view",
            "person.register",
            "person.edit",
            "consent.record",
            "assessment.run",
            "plan.edit",
            "audit.view",
            # Data-subject rights over records the organisation registered (privacy app).
            "person.export",
            "person.restrict",
            "person.erase",
            # Spreadsheet import and export of the organisation's records (transfer app).
            "data.import",
            "data.export",
            # The organisation's own services in the directory (directory app).
            "directory.edit",
            # The partnership's reports: aggregates only, small numbers suppressed (reports).
            "reports.view",
            # Referrals sent, and referrals received by the organisation's services.
            "referral.send",
            "referral.receive",
            "referral.view",
            # The organisation's own capacity self-assessments (capacity app); in the
            # partnership host, also every organisation's results, to plan support.
            "capacity.assess",
            "capacity.support",
            # The organisation's own interventions in the evidence bank (evidence app).
            "evidence.edit",
        }
    ),
    # Providers see people only through referrals they receive (referrals app); they keep
    # their organisation's services in the directory up to date.
    Role.SERVICE_PROVIDER: frozenset({"directory.edit", "referral.receive", "referral.view"}),
    # Analysts see aggregates, never individual records: the partnership's reports, read in
    # the aggregate-only scope with small numbers suppressed (reports app).
    Role.ANALYST: frozenset({"reports.view"}),
    Role.ADMINISTRATOR: frozenset(
        {
            "audit.view",
            "instruments.view",
            "reference.manage",
            "users.manage",
            # The organisation's own settings (name, kind, retention, two-factor); an
            # administrator of the partnership's host organisation also adds organisations.
            "organisation.manage",
            "directory.edit",
            # HSDS package uploads; only the partnership host's administrators (directory app).
            "directory.import",
            # As for managers: capacity self-assessments, and in the host the partnership's
            # view of which organisations need which support. Analysts never see them: they
            # make the reports that inform funding, and support is kept apart from funding.
            "capacity.assess",
            "capacity.support",
            "evidence.edit",
        }
    ),
}


def role_may(role: str | None, action: str) -> bool:
    return role is not None and action in ACTIONS_BY_ROLE.get(role, frozenset())


def requires(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Marks a view as needing `action`. A member without it gets the same 404 as a
    missing record, so the response never confirms that something exists."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None or not role_may(membership.role, action):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.pathmark_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def any_member(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view open to every member of an organisation, whatever the role. Such a view
    must show no personal data (the access-control tests check it)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "membership", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.pathmark_action = "member"  # type: ignore[attr-defined]
    return wrapped
