"""The lock-out check that runs before any password is compared (django-axes), and the backend
that reads the signed-in user on each request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from pathmark.organisations.middleware import LOADED_MEMBERSHIPS
from pathmark.organisations.models import Membership
from pathmark.organisations.scoping import prepared
from pathmark.organisations.selectors import acting_memberships

from .selectors import authenticators

# Whether the user had a confirmed authenticator when the request began, read with the user.
LOADED_AUTHENTICATOR = "_pathmark_has_authenticator"


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, except for sign-ins that come with no request at all (the test
    client's `login()`, a script): those have no address to count against and are not an
    attempt from outside. Every sign-in page passes its request, so every one is counted."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


class AccountBackend(ModelBackend):
    """Django's `ModelBackend` (the same passwords, permissions and active check), except that
    a signed-in request reads its user in one query with what every page's frame asks next:
    the user's active memberships of active organisations (which organisation the request acts
    for, and whether any requires a second factor) and whether they have an authenticator.
    Three queries were three round trips and three SQL texts for Django to write on every
    page. Read afresh on every request, as the user is: nothing is kept between requests."""

    def get_user(self, user_id: Any) -> Any:
        try:
            rows = _memberships_with_user(int(user_id))
        except (TypeError, ValueError):
            return None
        if not rows:
            # No active membership: the user alone, and the frame asks the rest itself.
            return super().get_user(user_id)
        user = rows[0].user
        if not self.user_can_authenticate(user):
            return None
        for membership in rows:
            membership.user = user
        setattr(user, LOADED_MEMBERSHIPS, rows)
        setattr(user, LOADED_AUTHENTICATOR, rows[0].has_authenticator)
        return user


@prepared
def _memberships_with_user(user_id: int) -> QuerySet[Membership]:
    """What `OrganisationScopeMiddleware` would read, with the user's row and whether they
    have a confirmed authenticator (`selectors.has_authenticator`) on each membership."""
    return (
        acting_memberships()
        .filter(user_id=user_id)
        .select_related("user", "organisation")
        .annotate(has_authenticator=Exists(authenticators().filter(user_id=OuterRef("user_id"))))
    )
