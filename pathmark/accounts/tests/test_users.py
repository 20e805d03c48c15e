"""Administrators manage the members of their own organisation, and no one else's."""

from __future__ import annotations

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Role
from pathmark.testing import MembershipFactory, assert_disallowed, client_for

from .helpers import app_code, give_authenticator, sign_in


def _admin(world, organisation=None):  # type: ignore[no-untyped-def]
    return world.member(organisation or world.org_a, Role.ADMINISTRATOR)


def test_administrator_lists_the_members_of_their_organisation(world):
    page = client_for(_admin(world)).get("/accounts/users/").content.decode()
    assert world.a_caseworker.username in page
    assert world.b_caseworker.username not in page


def test_only_administrators_may_manage_users(world):
    others = [world.member(world.org_a, role) for role in Role.values if role != Role.ADMINISTRATOR]
    assert_disallowed("/accounts/users/", [None, *others], secret=world.a_manager.username)
    assert_disallowed(
        f"/accounts/users/{world.a_caseworker.pk}/deactivate/", [None, *others], method="post"
    )
    world.a_caseworker.refresh_from_db()
    assert world.a_caseworker.is_active


def test_administrator_of_another_organisation_gets_not_found(world):
    b_admin = _admin(world, world.org_b)
    url = f"/accounts/users/{world.a_caseworker.pk}/"
    assert_disallowed(url, [b_admin], secret=world.a_caseworker.username)
    for action in ("deactivate", "reactivate", "reset-two-factor", "unlock"):
        assert_disallowed(f"{url}{action}/", [b_admin], method="post")
    world.a_caseworker.refresh_from_db()
    assert world.a_caseworker.is_active


def test_deactivation_is_audited_without_personal_data(world):
    client_for(_admin(world)).post(
        f"/accounts/users/{world.a_caseworker.pk}/deactivate/", {"confirm": "yes"}
    )
    entry = AuditEvent.objects.get(action="user.deactivated")
    assert entry.organisation == world.org_a
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(world.a_caseworker.pk)
    assert entry.extra == {"account_disabled": True, "sessions": 0}
    assert world.a_caseworker.first_name not in str(entry.extra)


def test_reactivated_user_can_sign_in_again(world):
    admin = client_for(_admin(world))
    admin.post(f"/accounts/users/{world.a_caseworker.pk}/deactivate/", {"confirm": "yes"})
    admin.post(f"/accounts/users/{world.a_caseworker.pk}/reactivate/")
    world.a_caseworker.refresh_from_db()
    assert world.a_caseworker.is_active
    assert Membership.objects.get(user=world.a_caseworker).is_active
    assert AuditEvent.objects.filter(action="user.reactivated").count() == 1


def test_administrator_cannot_deactivate_themselves(world):
    admin_user = _admin(world)
    response = client_for(admin_user).post(
        f"/accounts/users/{admin_user.pk}/deactivate/", {"confirm": "yes"}, follow=True
    )
    assert "You cannot do this to your own account." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_member_of_two_organisations_keeps_the_other_when_deactivated_in_one(world):
    """By an administrator of both, who owns the account (a single organisation's may not:
    see tests/security/test_issue13_accounts.py)."""
    MembershipFactory(user=world.a_caseworker, organisation=world.org_b, role=Role.CASEWORKER)
    MembershipFactory(user=_admin(world), organisation=world.org_b, role=Role.ADMINISTRATOR)
    client_for(_admin(world)).post(
        f"/accounts/users/{world.a_caseworker.pk}/deactivate/", {"confirm": "yes"}
    )
    world.a_caseworker.refresh_from_db()
    assert world.a_caseworker.is_active
    assert not Membership.objects.get(user=world.a_caseworker, organisation=world.org_a).is_active
    client = client_for(world.a_caseworker)
    assert "City Council" in client.get("/").content.decode()


def test_administrator_turns_the_two_factor_requirement_on(world):
    client_for(_admin(world)).post("/accounts/users/two-factor/", {"required": "on"})
    world.org_a.refresh_from_db()
    assert world.org_a.require_two_factor
    entry = AuditEvent.objects.get(action="organisation.two_factor_requirement_changed")
    assert entry.extra == {"required": True}


def test_turning_the_requirement_on_sends_the_administrator_to_set_up_too(world):
    admin = client_for(_admin(world))
    admin.post("/accounts/users/two-factor/", {"required": "on"})
    assert admin.get("/accounts/users/")["Location"].startswith("/accounts/two-factor/")


def test_administrator_with_a_second_factor_turns_the_requirement_off(strict_org, world):
    device, _ = give_authenticator(_admin(world))
    admin, _ = sign_in(_admin(world))
    admin.post("/accounts/verify/", {"code": app_code(device)})
    admin.post("/accounts/users/two-factor/", {})
    strict_org.refresh_from_db()
    assert not strict_org.require_two_factor


def test_new_organisations_require_two_factor_by_default(db):
    from pathmark.organisations.models import Organisation

    organisation = Organisation.objects.create(slug="new", name="New", kind="college")
    assert organisation.require_two_factor
