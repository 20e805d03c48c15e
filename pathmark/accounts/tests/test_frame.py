"""Every signed-in page begins by reading its session, its user, the user's memberships and
whether they have an authenticator: one query for the session and one for the rest
(`accounts.backends.AccountBackend`), with the same answers as asking each on its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pathmark.accounts.backends import LOADED_AUTHENTICATOR, AccountBackend
from pathmark.accounts.selectors import has_authenticator
from pathmark.organisations.middleware import LOADED_MEMBERSHIPS
from pathmark.organisations.models import Membership, Role
from pathmark.testing import MembershipFactory, OrganisationFactory, UserFactory, client_for

from .helpers import give_authenticator

pytestmark = pytest.mark.django_db


def _as_the_middleware_reads_them(user) -> list[Membership]:  # type: ignore[no-untyped-def]
    return list(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )


def test_the_user_is_read_with_their_memberships_and_authenticator_in_one_query(world):
    user = world.a_caseworker
    # A second organisation, an ended membership and a switched-off organisation.
    MembershipFactory(user=user, organisation=world.org_b, role=Role.MANAGER)
    MembershipFactory(user=user, organisation=world.org_c, role=Role.CASEWORKER, is_active=False)
    closed = OrganisationFactory(slug="closed-down", is_active=False)
    MembershipFactory(user=user, organisation=closed, role=Role.CASEWORKER)

    AccountBackend().get_user(user.pk)  # on PostgreSQL the first also prepares the statement
    with CaptureQueriesContext(connection) as queries:
        found = AccountBackend().get_user(user.pk)
    assert len(queries) == 1
    assert found == user and found.password == user.password
    loaded = getattr(found, LOADED_MEMBERSHIPS)
    expected = _as_the_middleware_reads_them(user)
    assert [(m.pk, m.organisation_id, m.role) for m in loaded] == [
        (m.pk, m.organisation_id, m.role) for m in expected
    ]
    assert [m.organisation.name for m in loaded] == ["Refugee Charity", "City Council"]
    with CaptureQueriesContext(connection) as queries:
        assert all(m.user is found for m in loaded)
    assert len(queries) == 0
    assert getattr(found, LOADED_AUTHENTICATOR) is False

    give_authenticator(user)
    again = AccountBackend().get_user(user.pk)
    assert getattr(again, LOADED_AUTHENTICATOR) is True is has_authenticator(user)


def test_a_switched_off_or_missing_user_is_nobody(world):
    user = world.a_caseworker
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert AccountBackend().get_user(user.pk) is None
    assert AccountBackend().get_user(999_999) is None
    assert AccountBackend().get_user("not a number") is None


def test_a_user_without_an_active_membership_is_still_read(db):
    alone = UserFactory(username="between-jobs")
    ended = MembershipFactory(user=UserFactory(username="left"), is_active=False)
    for user in (alone, ended.user):
        found = AccountBackend().get_user(user.pk)
        assert found == user
        assert not hasattr(found, LOADED_MEMBERSHIPS)
        assert not hasattr(found, LOADED_AUTHENTICATOR)
        # Signed in, acting for no organisation: the pages for members are not found.
        response = client_for(user).get(reverse("site:home"))
        assert response.status_code == 404
        assert response.wsgi_request.user == user and response.wsgi_request.organisation is None


def test_a_page_acts_for_the_memberships_as_they_stand_at_each_request(world):
    """Nothing is kept between requests: a role changed, a membership ended or an
    organisation switched off counts from the next page."""
    user = world.a_manager
    client = client_for(user)
    audit = reverse("audit:list")
    assert client.get(audit).status_code == 200
    Membership.objects.filter(user=user).update(role=Role.CASEWORKER)
    assert client.get(audit).status_code == 404
    Membership.objects.filter(user=user).update(role=Role.MANAGER)
    assert client.get(audit).status_code == 200
    world.org_a.is_active = False
    world.org_a.save(update_fields=["is_active"])
    response = client.get(reverse("people:list"))
    assert response.wsgi_request.organisation is None
    assert response.status_code == 404


def test_an_authenticator_added_elsewhere_asks_this_session_for_a_code(world):
    user = world.a_caseworker
    client = client_for(user)
    people = reverse("people:list")
    assert client.get(people).status_code == 200
    give_authenticator(user)
    response = client.get(people)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_a_signed_in_page_asks_two_queries_fewer_than_with_djangos_own_backend(world):
    """The session, then the user with memberships and authenticator: Django's
    `ModelBackend` would read the user, and the frame then its memberships and authenticator
    (for a session not yet confirmed with a code), each on its own."""
    page = reverse("people:list")
    counts = {}
    for backend in (
        "pathmark.accounts.backends.AccountBackend",
        "django.contrib.auth.backends.ModelBackend",
    ):
        with override_settings(AUTHENTICATION_BACKENDS=[backend]):
            client = Client()
            client.force_login(world.a_caseworker, backend=backend)
            client.get(page)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            assert response.status_code == 200
            assert response.wsgi_request.organisation == world.org_a
            counts[backend] = len(queries)
    assert (
        counts["django.contrib.auth.backends.ModelBackend"] - 2
        == counts["pathmark.accounts.backends.AccountBackend"]
    )
