"""Resolves the organisation a signed-in user acts for and runs the view inside its scope."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .scoping import organisation_scope
from .selectors import acting_memberships

SESSION_KEY = "pathmark_organisation_id"
# Where the authentication backend leaves the user's active memberships of active
# organisations when it read them with the user (`accounts.backends.AccountBackend`): the
# same rows, in the same order, as the query below.
LOADED_MEMBERSHIPS = "_pathmark_memberships"


class OrganisationScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organisation = None  # type: ignore[attr-defined]
        # Every active membership in an active organisation, for the checks that look at all
        # of them (the second factor: `accounts.selectors.two_factor_required`).
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        memberships = getattr(user, LOADED_MEMBERSHIPS, None)
        if memberships is None:
            memberships = list(
                acting_memberships().filter(user=user).select_related("organisation")
            )
        request.memberships = memberships  # type: ignore[attr-defined]
        chosen = request.session.get(SESSION_KEY)
        membership = None
        if chosen is not None:
            membership = next((m for m in memberships if m.organisation_id == chosen), None)
        if membership is None:
            membership = memberships[0] if memberships else None
        if membership is None:
            return self.get_response(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.organisation = membership.organisation  # type: ignore[attr-defined]
        with organisation_scope(
            organisation_id=membership.organisation_id, user_id=user.pk, role=membership.role
        ):
            return self.get_response(request)
