"""Administrators of the partnership's host organisation add organisations, each with its
first administrator in the same transaction; no one else may."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from pathmark.accounts.models import User
from pathmark.audit.models import AuditEvent
from pathmark.organisations import services
from pathmark.organisations.models import Membership, Organisation, Role
from pathmark.testing import MembershipFactory, UserFactory, assert_disallowed, client_for

LIST = "/accounts/organisations/"
NEW = "/accounts/organisations/new/"
COLLEGE = {
    "name": "Northbridge College",
    "slug": "northbridge-college",
    "kind": "college",
    "retention_years": "7",
    "require_two_factor": "on",
    "administrator_email": "esol.lead@college.example",
    "administrator_name": "Esol Lead",
}


@pytest.fixture
def host(world):  # type: ignore[no-untyped-def]
    """Organisation B, the council, hosts the partnership."""
    world.org_b.is_partnership_host = True
    world.org_b.save(update_fields=["is_partnership_host"])
    return world.org_b


def _host_admin(world):  # type: ignore[no-untyped-def]
    return world.member(world.org_b, Role.ADMINISTRATOR)


def test_host_administrator_adds_an_organisation_with_its_first_administrator(world, host):
    response = client_for(_host_admin(world)).post(NEW, COLLEGE)
    assert response.status_code == 302
    assert response["Location"] == LIST
    college = Organisation.objects.get(slug="northbridge-college")
    assert (college.name, college.kind, college.retention_years) == (
        "Northbridge College",
        "college",
        7,
    )
    assert college.require_two_factor
    assert not college.is_partnership_host
    membership = Membership.objects.get(organisation=college)
    assert membership.role == Role.ADMINISTRATOR
    assert membership.user.email == "esol.lead@college.example"
    assert not membership.user.has_usable_password()


def test_first_administrators_link_is_shown_once_and_e_mailed(world, host):
    admin = client_for(_host_admin(world))
    page = admin.post(NEW, COLLEGE, follow=True).content.decode()
    assert re.search(r"/accounts/set-password/[\w-]+/[\w-]+/", page)
    assert "Northbridge College" in page  # now in the list
    (message,) = mail.outbox
    assert message.to == ["esol.lead@college.example"]
    assert "/accounts/set-password/" in message.body
    assert "/accounts/set-password/" not in admin.get(LIST).content.decode()


def test_first_administrators_link_shown_is_the_one_e_mailed(world, host, slow_clock):
    page = client_for(_host_admin(world)).post(NEW, COLLEGE, follow=True).content.decode()
    link = r"https?://\S+/accounts/set-password/[\w-]+/[\w-]+/"
    shown = re.search(link, page)
    sent = re.search(link, mail.outbox[0].body)
    assert shown and sent and shown.group(0) == sent.group(0)


def test_the_new_organisations_administrator_can_sign_in_and_manage_it(world, host):
    client_for(_host_admin(world)).post(NEW, COLLEGE)
    college_admin = User.objects.get(email="esol.lead@college.example")
    client = client_for(college_admin)
    # The college requires two-factor authentication, so that comes first.
    assert client.get("/accounts/users/")["Location"].startswith("/accounts/two-factor/")
    Organisation.objects.filter(slug="northbridge-college").update(require_two_factor=False)
    page = client.get("/accounts/users/").content.decode()
    assert "Users of Northbridge College" in page
    # ... and sees none of the council's staff.
    assert world.b_caseworker.username not in page


def test_creation_and_first_administrator_are_audited_without_names(world, host):
    client_for(_host_admin(world)).post(NEW, COLLEGE)
    college = Organisation.objects.get(slug="northbridge-college")
    created = AuditEvent.objects.get(action="organisation.created")
    assert created.organisation == host
    assert created.object_id == str(college.pk)
    assert created.extra == {
        "kind": "college",
        "retention_years": 7,
        "require_two_factor": True,
        "partnership_host": False,
    }
    added = AuditEvent.objects.get(action="user.added")
    assert added.organisation == college
    assert added.extra["role"] == "administrator"
    for entry in (created, added):
        assert "Northbridge" not in str(entry.extra)
        assert "college.example" not in str(entry.extra)


def test_an_unusable_first_administrator_leaves_no_organisation_behind(world, host):
    """One transaction: if the administrator cannot be added, the organisation is not."""
    twin_a = UserFactory(username="twin-a", email="twin@college.example")
    UserFactory(username="twin-b", email="TWIN@college.example")
    response = client_for(_host_admin(world)).post(
        NEW, {**COLLEGE, "administrator_email": twin_a.email}
    )
    assert response.status_code == 200
    assert "More than one account has this e-mail address" in response.content.decode()
    assert not Organisation.objects.filter(slug="northbridge-college").exists()
    assert not AuditEvent.objects.filter(action="organisation.created").exists()


def test_a_short_name_already_in_use_is_refused(world, host):
    response = client_for(_host_admin(world)).post(NEW, {**COLLEGE, "slug": world.org_a.slug})
    assert response.status_code == 200
    assert "Another organisation already has the short name" in response.content.decode()
    assert Organisation.objects.count() == 3


def test_administrators_of_other_organisations_get_not_found(world, host):
    outsiders = [
        world.member(world.org_a, Role.ADMINISTRATOR),
        world.member(world.org_c, Role.ADMINISTRATOR),
    ]
    others_in_host = [
        world.member(host, role) for role in Role.values if role != Role.ADMINISTRATOR
    ]
    for url in (LIST, NEW):
        assert_disallowed(url, [None, *outsiders, *others_in_host])
        assert_disallowed(url, [None, *outsiders, *others_in_host], method="post", data=COLLEGE)
    assert not Organisation.objects.filter(slug="northbridge-college").exists()


def test_without_a_host_no_one_adds_organisations_in_the_app(world):
    assert_disallowed(
        NEW, [world.member(org, Role.ADMINISTRATOR) for org in (world.org_a, world.org_b)]
    )


def test_host_administrator_acting_for_another_organisation_gets_not_found(world, host):
    """The rule follows the organisation the request acts for, as every permission does."""
    host_admin = _host_admin(world)
    MembershipFactory(user=host_admin, organisation=world.org_a, role=Role.ADMINISTRATOR)
    client = client_for(host_admin)
    client.post("/accounts/organisation/", {"organisation": world.org_a.pk})
    assert client.get(LIST).status_code == 404


def test_the_host_sees_every_organisation_with_counts_only(world, host):
    page = client_for(_host_admin(world)).get(LIST).content.decode()
    for organisation in (world.org_a, world.org_b, world.org_c):
        assert organisation.name in page
    assert world.a_caseworker.username not in page
    assert 'href="/accounts/organisations/new/"' in page


def test_users_page_of_the_host_links_to_the_partnership(world, host):
    page = client_for(_host_admin(world)).get("/accounts/users/").content.decode()
    assert 'href="/accounts/organisations/"' in page


def test_service_refuses_anyone_but_a_host_administrator(world, host):
    for user in (world.member(world.org_a, Role.ADMINISTRATOR), world.b_manager):
        with pytest.raises(PermissionDenied):
            services.create_organisation(
                by=user,
                name="Rogue",
                slug="rogue",
                kind="employer",
                administrator_email="rogue@example.org",
            )
    assert not Organisation.objects.filter(slug="rogue").exists()


def test_app_cannot_make_a_new_host(world, host):
    with pytest.raises(PermissionDenied):
        services.create_organisation(
            by=_host_admin(world),
            name="Second host",
            slug="second-host",
            kind="local_authority",
            partnership_host=True,
            administrator_email="x@example.org",
        )


def test_there_is_at_most_one_host(world, host):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=world.org_a.pk).update(is_partnership_host=True)
