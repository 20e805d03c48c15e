"""The host organisation's administrators see every staff account of the partnership and
act on accounts no single organisation may change alone (issue 13: the owners of an account
that works for several organisations are the administrators of all of them, or the host's).
"""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.accounts.models import User, UserSession
from pathmark.accounts.tests.helpers import give_authenticator
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.testing import MembershipFactory, UserFactory, client_for


@pytest.fixture
def host(world):  # type: ignore[no-untyped-def]
    Organisation.objects.filter(pk=world.org_a.pk).update(is_partnership_host=True)
    world.org_a.refresh_from_db()
    return world.org_a


@pytest.fixture
def shared(world) -> User:  # type: ignore[no-untyped-def]
    """A caseworker of B and C with an authenticator and a session: neither B's nor C's
    administrator may change her account alone."""
    user = UserFactory(username="yusra-shared", email="yusra@example.org", first_name="Yusra")
    MembershipFactory(user=user, organisation=world.org_b, role=Role.CASEWORKER)
    MembershipFactory(user=user, organisation=world.org_c, role=Role.CASEWORKER)
    give_authenticator(user)
    client_for(user)
    return user


def _host_admin(world, host):  # type: ignore[no-untyped-def]
    client = client_for(world.member(host, Role.ADMINISTRATOR))
    session = client.session
    session["pathmark_organisation"] = host.pk
    session.save()
    return client


def _account_url(user: User) -> str:
    return f"/accounts/partnership/accounts/{user.pk}/"


def test_the_host_sees_every_account_and_finds_one(world, host, shared):
    client = _host_admin(world, host)
    page = client.get("/accounts/partnership/accounts/").content.decode()
    assert "yusra-shared" in page
    assert world.org_b.name in page and world.org_c.name in page
    assert world.member(world.org_b, Role.MANAGER).username in page
    found = client.get("/accounts/partnership/accounts/", {"q": "YUSRA@"}).content.decode()
    assert "yusra-shared" in found
    assert world.member(world.org_b, Role.MANAGER).username not in found
    detail = client.get(_account_url(shared)).content.decode()
    assert "yusra@example.org" in detail and "Switch off everywhere" in detail


def test_only_the_hosts_administrators_reach_the_pages(world, host, shared):
    outsiders = [
        world.member(world.org_b, Role.ADMINISTRATOR),  # administers one of her organisations
        world.member(host, Role.MANAGER),
        world.member(host, Role.CASEWORKER),
    ]
    for outsider in outsiders:
        client = client_for(outsider)
        for url in ("/accounts/partnership/accounts/", _account_url(shared)):
            assert client.get(url).status_code in (403, 404), (outsider, url)
        response = client.post(_account_url(shared), {"action": "switch_off", "confirm": "yes"})
        assert response.status_code in (403, 404)
    shared.refresh_from_db()
    assert shared.is_active
    # Without a host organisation, no one's administrators have these pages.
    Organisation.objects.update(is_partnership_host=False)
    assert _host_admin(world, host).get("/accounts/partnership/accounts/").status_code == 404


def test_the_host_switches_an_account_off_everywhere_and_on_again(world, host, shared):
    client = _host_admin(world, host)
    assert UserSession.objects.filter(user=shared).exists()
    client.post(_account_url(shared), {"action": "switch_off", "confirm": "yes"})
    shared.refresh_from_db()
    assert not shared.is_active
    assert not UserSession.objects.filter(user=shared).exists()
    # Her memberships are kept, so switching on restores what each organisation had.
    assert Membership.objects.filter(user=shared, is_active=True).count() == 2
    logged = set(
        AuditEvent.objects.filter(action="user.account_switched_off").values_list(
            "organisation_id", flat=True
        )
    )
    assert logged == {world.org_b.pk, world.org_c.pk, host.pk}
    client.post(_account_url(shared), {"action": "switch_on"})
    shared.refresh_from_db()
    assert shared.is_active
    assert AuditEvent.objects.filter(
        action="user.account_switched_on", organisation=world.org_b
    ).exists()


def test_the_host_resets_two_factor_and_issues_a_link_once(world, host, shared):
    client = _host_admin(world, host)
    client.post(_account_url(shared), {"action": "reset_two_factor", "confirm": "yes"})
    assert not TOTPDevice.objects.filter(user=shared).exists()
    assert not StaticDevice.objects.filter(user=shared).exists()
    response = client.post(_account_url(shared), {"action": "set_password_link"}, follow=True)
    assert "/accounts/set-password/" in response.content.decode()
    assert "/accounts/set-password/" not in client.get(_account_url(shared)).content.decode()


def test_switching_off_the_last_administrator_of_an_organisation_is_refused(world, host):
    only = world.member(world.org_c, Role.ADMINISTRATOR)
    Membership.objects.filter(organisation=world.org_c, role=Role.ADMINISTRATOR).exclude(
        user=only
    ).update(is_active=False)
    response = _host_admin(world, host).post(
        _account_url(only), {"action": "switch_off", "confirm": "yes"}, follow=True
    )
    assert "only administrator of" in response.content.decode()
    only.refresh_from_db()
    assert only.is_active


def test_an_unknown_action_or_ones_own_account_changes_nothing(world, host):
    me = world.member(host, Role.ADMINISTRATOR)
    client = _host_admin(world, host)
    response = client.post(
        _account_url(me), {"action": "switch_off", "confirm": "yes"}, follow=True
    )
    assert "own account" in response.content.decode()
    client.post(_account_url(me), {"action": "delete_everything"})
    me.refresh_from_db()
    assert me.is_active
