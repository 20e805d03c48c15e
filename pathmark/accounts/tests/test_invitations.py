"""Invitations lapse after PATHMARK_INVITATION_DAYS and the inviting organisation can
withdraw one: an offer of a membership does not lie in an account for ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pathmark.accounts import selectors, services
from pathmark.accounts.models import Invitation, InvitationStatus
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Role
from pathmark.testing import MembershipFactory, UserFactory, client_for


@pytest.fixture
def invited(world):  # type: ignore[no-untyped-def]
    """Someone who works for B, invited by C's administrator."""
    user = UserFactory(username="hana-invited", email="hana.invited@example.org")
    MembershipFactory(user=user, organisation=world.org_b, role=Role.CASEWORKER)
    admin = world.member(world.org_c, Role.ADMINISTRATOR)
    added = services.add_member(
        by=admin, organisation=world.org_c, email=user.email, name="", role=Role.CASEWORKER
    )
    assert added.invitation is not None
    return added.invitation


def _age(invitation: Invitation, days: int) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    invitation.refresh_from_db()


def test_an_invitation_can_be_accepted_until_it_expires(world, invited, settings):
    settings.PATHMARK_INVITATION_DAYS = 14
    _age(invited, 13)
    assert list(selectors.pending_invitations(invited.user)) == [invited]
    _age(invited, 15)
    assert invited.is_expired
    assert not selectors.pending_invitations(invited.user).exists()
    with pytest.raises(PermissionDenied):
        services.accept_invitation(by=invited.user, invitation=invited)
    assert not Membership.objects.filter(user=invited.user, organisation=world.org_c).exists()


def test_an_expired_invitation_can_be_sent_again(world, invited, settings):
    admin = world.member(world.org_c, Role.ADMINISTRATOR)
    args = {"by": admin, "organisation": world.org_c, "email": invited.user.email, "name": ""}
    with pytest.raises(ValidationError):  # still waiting: not twice
        services.add_member(**args, role=Role.MANAGER)
    _age(invited, settings.PATHMARK_INVITATION_DAYS + 1)
    again = services.add_member(**args, role=Role.MANAGER).invitation
    invited.refresh_from_db()
    assert invited.status == InvitationStatus.EXPIRED
    assert again is not None and again.pk != invited.pk and again.role == Role.MANAGER
    services.accept_invitation(by=invited.user, invitation=again)
    membership = Membership.objects.get(user=invited.user, organisation=world.org_c)
    assert membership.role == Role.MANAGER


def test_the_inviting_administrator_withdraws_an_invitation(world, invited):
    admin = world.member(world.org_c, Role.ADMINISTRATOR)
    client = client_for(admin)
    session = client.session
    session["pathmark_organisation"] = world.org_c.pk
    session.save()
    page = client.get("/accounts/users/").content.decode()
    assert "hana-invited" in page and "Can be accepted until" in page
    response = client.post(f"/accounts/users/invitations/{invited.pk}/withdraw/")
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.status == InvitationStatus.WITHDRAWN
    assert not selectors.pending_invitations(invited.user).exists()
    assert AuditEvent.objects.filter(
        action="user.invitation_withdrawn", organisation=world.org_c
    ).exists()
    with pytest.raises(PermissionDenied):
        services.accept_invitation(by=invited.user, invitation=invited)
    # Gone from the list; a second withdrawal finds nothing.
    assert "hana-invited" not in client.get("/accounts/users/").content.decode()
    assert client.post(f"/accounts/users/invitations/{invited.pk}/withdraw/").status_code == 404


def test_no_one_else_withdraws_an_organisations_invitation(world, invited):
    outsiders = [
        world.member(world.org_b, Role.ADMINISTRATOR),
        world.member(world.org_c, Role.CASEWORKER),
        invited.user,
    ]
    for outsider in outsiders:
        response = client_for(outsider).post(f"/accounts/users/invitations/{invited.pk}/withdraw/")
        assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.withdraw_invitation(
            by=world.member(world.org_b, Role.ADMINISTRATOR),
            organisation=world.org_b,
            invitation=invited,
        )
    invited.refresh_from_db()
    assert invited.status == InvitationStatus.PENDING


def test_the_page_frame_counts_invitations_once_a_minute_and_after_an_answer(world):
    """The badge comes from the session: counted when the idle clock moves (at most once a
    minute) and whenever the invitations page is shown, so a page view costs no query."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pathmark.accounts.middleware import REFRESHED_AT

    user = UserFactory(username="omar-invited", email="omar.invited@example.org")
    MembershipFactory(user=user, organisation=world.org_b, role=Role.CASEWORKER)
    client = client_for(user)
    assert "invitation" not in client.get("/").content.decode().split("<main")[0]
    admin = world.member(world.org_c, Role.ADMINISTRATOR)
    invitation = services.add_member(
        by=admin, organisation=world.org_c, email=user.email, name="", role=Role.CASEWORKER
    ).invitation
    with CaptureQueriesContext(connection) as queries:
        frame = client.get("/").content.decode().split("<main")[0]
    assert "1 invitation" not in frame  # within the minute: the count kept
    assert not [q for q in queries if "accounts_invitation" in q["sql"]]

    session = client.session
    session[REFRESHED_AT] = int(time.time()) - 61
    session.save()
    assert "1 invitation" in client.get("/").content.decode().split("<main")[0]

    response = client.post(f"/accounts/invitations/{invitation.pk}/decline/", follow=True)
    assert response.status_code == 200
    assert "1 invitation" not in response.content.decode().split("<main")[0]
    assert "1 invitation" not in client.get("/").content.decode().split("<main")[0]
