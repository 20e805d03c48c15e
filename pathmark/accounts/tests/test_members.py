"""Administrators add staff to their organisation, change roles and remove members; never in
another organisation, and never leaving their organisation without an administrator."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from pathmark.accounts import services
from pathmark.accounts.models import User, UserSession
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Membership, Role
from pathmark.testing import MembershipFactory, UserFactory, assert_disallowed, client_for

ADD = "/accounts/users/add/"
NEW_COLLEAGUE = {
    "email": "Hana.Rahimi@Charity.example",
    "name": "Hana Rahimi",
    "role": "caseworker",
}

# The removal page's own button: the first POST only asks.
CONFIRM = {"confirm": "yes"}


def _admin(world, organisation=None):  # type: ignore[no-untyped-def]
    return world.member(organisation or world.org_a, Role.ADMINISTRATOR)


def _non_administrators(world, organisation):  # type: ignore[no-untyped-def]
    return [world.member(organisation, role) for role in Role.values if role != Role.ADMINISTRATOR]


def _link_in(text: str) -> str:
    match = re.search(r"https?://\S+/accounts/set-password/[\w-]+/[\w-]+/", text)
    assert match, "no set-password link"
    return match.group(0)


# --- Adding a member ------------------------------------------------------------------------


def test_new_staff_member_gets_an_account_without_a_password(world):
    response = client_for(_admin(world)).post(ADD, NEW_COLLEAGUE)
    user = User.objects.get(email__iexact="hana.rahimi@charity.example")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.username == "hana.rahimi"
    assert user.get_full_name() == "Hana Rahimi"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (world.org_a, Role.CASEWORKER)


def test_set_password_link_is_e_mailed_and_shown_to_the_administrator_once(world):
    admin = client_for(_admin(world))
    response = admin.post(ADD, NEW_COLLEAGUE, follow=True)
    user = User.objects.get(username="hana.rahimi")
    shown = _link_in(response.content.decode())
    assert "only time this link is shown" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["Hana.Rahimi@charity.example"]
    assert "hana.rahimi" in message.body
    for link in (shown, _link_in(message.body)):
        assert f"/set-password/{_uid(user)}/" in link
    page_again = admin.get(response.redirect_chain[-1][0]).content.decode()
    assert "/accounts/set-password/" not in page_again


def test_the_page_shows_the_very_link_it_e_mailed_however_long_it_takes(world, slow_clock):
    admin = client_for(_admin(world))
    page = admin.post(ADD, NEW_COLLEAGUE, follow=True).content.decode()
    assert _link_in(page) == _link_in(mail.outbox[0].body)
    assert slow_clock[0] >= 2  # the clock was read for the e-mail and again for the page
    # ... and it works.
    form = client_for(None).get(_link_in(page), follow=True)
    assert b'name="new_password1"' in form.content


def _uid(user: User) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk))


def test_set_password_link_uses_the_address_the_administrator_is_using(world, settings):
    """Without a configured SITE_URL the link and the e-mail name the host and port of the
    request (a server on port 8123 gives links to port 8123, not 8000)."""
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["pathmark.test"]
    response = client_for(_admin(world)).post(
        ADD, NEW_COLLEAGUE, follow=True, HTTP_HOST="pathmark.test:8123"
    )
    shown = _link_in(response.content.decode())
    assert shown.startswith("http://pathmark.test:8123/accounts/set-password/")
    assert _link_in(mail.outbox[0].body) == shown


def test_set_password_link_uses_the_configured_site_address(world, settings):
    settings.SITE_URL = "https://pathmark.example.org"
    response = client_for(_admin(world)).post(ADD, NEW_COLLEAGUE, follow=True)
    shown = _link_in(response.content.decode())
    assert shown.startswith("https://pathmark.example.org/accounts/set-password/")
    assert _link_in(mail.outbox[0].body) == shown


def test_existing_account_is_matched_by_e_mail_invited_and_keeps_its_password(world):
    colleague = world.member(world.org_b, Role.CASEWORKER)
    colleague.email = "shared.worker@example.org"
    colleague.save(update_fields=["email"])
    password_before = colleague.password
    response = client_for(_admin(world)).post(
        ADD, {"email": "SHARED.worker@example.org", "role": "manager"}, follow=True
    )
    page = response.content.decode()
    assert "/accounts/set-password/" not in page
    assert "they were invited" in page and "colleague" not in page
    colleague.refresh_from_db()
    assert colleague.password == password_before
    # No membership until they accept (tests/security/test_issue13_accounts.py).
    assert not Membership.objects.filter(user=colleague, organisation=world.org_a).exists()
    assert colleague.invitations.get().role == Role.MANAGER
    assert User.objects.filter(email__iexact="shared.worker@example.org").count() == 1
    (message,) = mail.outbox
    assert "set-password" not in message.body
    assert "invited you to work for it" in message.body
    assert AuditEvent.objects.get(action="user.invited").extra["role"] == Role.MANAGER


def test_account_without_password_of_another_organisation_gives_this_administrator_no_link(
    world,
):
    """Whoever holds the link can sign in as the user; an administrator of A must not get one
    for someone who also works for B."""
    pending = UserFactory(username="pending", email="pending@example.org")
    pending.set_unusable_password()
    pending.save()
    MembershipFactory(user=pending, organisation=world.org_b, role=Role.MANAGER)
    admin = client_for(_admin(world))
    page = admin.post(ADD, {"email": "pending@example.org", "role": "caseworker"}, follow=True)
    assert "/accounts/set-password/" not in page.content.decode()
    assert not mail.outbox or "set-password" not in mail.outbox[0].body
    # Only invited, not a member: A's administrator cannot even reach their page.
    assert pending.invitations.get().organisation == world.org_a
    refused = admin.post(f"/accounts/users/{pending.pk}/set-password-link/", follow=True)
    assert refused.status_code == 404
    assert not AuditEvent.objects.filter(action="user.set_password_link_issued").exists()


def test_adding_someone_already_a_member_is_refused_by_the_field(world):
    world.a_caseworker.email = "already@example.org"
    world.a_caseworker.save(update_fields=["email"])
    response = client_for(_admin(world)).post(
        ADD, {"email": "already@example.org", "role": "manager"}
    )
    assert response.status_code == 200
    assert "They are already a member of Refugee Charity" in response.content.decode()
    assert Membership.objects.get(user=world.a_caseworker).role == Role.CASEWORKER


def test_a_bad_e_mail_address_is_refused_and_nothing_is_written(world):
    users_before = User.objects.count()
    response = client_for(_admin(world)).post(ADD, {"email": "not-an-address", "role": "analyst"})
    assert response.status_code == 200
    assert 'aria-describedby="id_email_helptext id_email_error"' in response.content.decode()
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(action="user.added").exists()


def test_usernames_made_from_addresses_do_not_clash(world):
    UserFactory(username="hana.rahimi")
    client_for(_admin(world)).post(ADD, NEW_COLLEAGUE)
    assert User.objects.get(email__iexact=NEW_COLLEAGUE["email"]).username == "hana.rahimi-2"


def test_adding_a_member_is_audited_with_ids_and_codes_only(world):
    client_for(_admin(world)).post(ADD, NEW_COLLEAGUE)
    user = User.objects.get(username="hana.rahimi")
    entry = AuditEvent.objects.get(action="user.added")
    assert (entry.organisation, entry.actor) == (world.org_a, _admin(world))
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(user.pk))
    assert entry.extra == {
        "role": "caseworker",
        "new_account": True,
        "account_enabled": False,
        "set_password_link": True,
    }
    written = str(entry.extra) + entry.object_id
    assert "Hana" not in written and "charity.example" not in written.lower()


def test_only_administrators_may_add_members(world):
    before = User.objects.count()
    assert_disallowed(ADD, [None, *_non_administrators(world, world.org_a)])
    assert_disallowed(
        ADD,
        [None, *_non_administrators(world, world.org_a)],
        method="post",
        data={**NEW_COLLEAGUE, "role": "administrator"},
    )
    assert User.objects.count() == before


def test_a_posted_organisation_is_ignored(world):
    """The membership is always in the administrator's own organisation."""
    client_for(_admin(world)).post(
        ADD, {**NEW_COLLEAGUE, "organisation": world.org_b.pk, "organisation_id": world.org_b.pk}
    )
    membership = Membership.objects.get(user__username="hana.rahimi")
    assert membership.organisation == world.org_a


def test_add_member_service_refuses_someone_who_is_not_an_administrator(world):
    with pytest.raises(PermissionDenied):
        services.add_member(
            by=world.a_manager,
            organisation=world.org_a,
            email="sneaky@example.org",
            role=Role.ADMINISTRATOR,
        )
    with pytest.raises(PermissionDenied):
        services.add_member(
            by=_admin(world, world.org_b),
            organisation=world.org_a,
            email="sneaky@example.org",
            role=Role.ADMINISTRATOR,
        )
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_add_member_service_refuses_an_unknown_role(world):
    with pytest.raises(ValidationError) as refusal:
        services.add_member(
            by=_admin(world), organisation=world.org_a, email="x@example.org", role="owner"
        )
    assert "role" in refusal.value.message_dict


def test_re_adding_a_removed_member_in_the_app_never_switches_their_account_back_on(world):
    """One organisation cannot switch an account back on; the server's operator can, with
    `pathmark users add` (test_users_command.py)."""
    caseworker = world.a_caseworker
    caseworker.email = "back@example.org"
    caseworker.save(update_fields=["email"])
    admin = client_for(_admin(world))
    admin.post(f"/accounts/users/{caseworker.pk}/remove/", CONFIRM)
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    response = admin.post(ADD, {"email": "back@example.org", "role": "caseworker"})
    assert "This account is switched off" in response.content.decode()
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert not Membership.objects.filter(user=caseworker).exists()


# --- Changing a role -------------------------------------------------------------------------


def test_administrator_changes_a_members_role(world):
    caseworker = world.a_caseworker
    response = client_for(_admin(world)).post(
        f"/accounts/users/{caseworker.pk}/role/", {"role": "manager"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=caseworker).role == Role.MANAGER
    entry = AuditEvent.objects.get(action="user.role_changed")
    assert entry.extra == {"from": "caseworker", "to": "manager"}
    assert entry.object_id == str(caseworker.pk)


def test_new_role_applies_from_the_members_next_request(world):
    caseworker_client = client_for(world.a_caseworker)
    assert caseworker_client.get("/people/").status_code == 200
    client_for(_admin(world)).post(
        f"/accounts/users/{world.a_caseworker.pk}/role/", {"role": "analyst"}
    )
    assert caseworker_client.get("/people/").status_code == 404


def test_a_manager_cannot_make_anyone_an_administrator(world):
    assert_disallowed(
        f"/accounts/users/{world.a_caseworker.pk}/role/",
        _non_administrators(world, world.org_a),
        method="post",
        data={"role": "administrator"},
    )
    assert_disallowed(
        f"/accounts/users/{world.a_manager.pk}/role/",
        [world.a_manager],
        method="post",
        data={"role": "administrator"},
    )
    assert (
        not Membership.objects.filter(organisation=world.org_a, role=Role.ADMINISTRATOR)
        .exclude(user=_admin(world))
        .exists()
    )


def test_an_unknown_role_is_refused(world):
    response = client_for(_admin(world)).post(
        f"/accounts/users/{world.a_caseworker.pk}/role/", {"role": "superuser"}, follow=True
    )
    assert "Choose one of the roles." in response.content.decode()
    assert Membership.objects.get(user=world.a_caseworker).role == Role.CASEWORKER


def test_last_administrator_cannot_demote_themselves(world):
    admin_user = _admin(world)
    response = client_for(admin_user).post(
        f"/accounts/users/{admin_user.pk}/role/", {"role": "manager"}, follow=True
    )
    assert "You are the only administrator of Refugee Charity." in response.content.decode()
    assert Membership.objects.get(user=admin_user).role == Role.ADMINISTRATOR
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()


def test_an_administrator_may_step_down_when_another_remains(world):
    admin_user = _admin(world)
    MembershipFactory(user=UserFactory(), organisation=world.org_a, role=Role.ADMINISTRATOR)
    response = client_for(admin_user).post(
        f"/accounts/users/{admin_user.pk}/role/", {"role": "manager"}
    )
    assert response["Location"] == "/"
    assert Membership.objects.get(user=admin_user).role == Role.MANAGER


def test_a_deactivated_administrator_does_not_count_as_another(world):
    admin_user = _admin(world)
    dormant = UserFactory()
    MembershipFactory(
        user=dormant, organisation=world.org_a, role=Role.ADMINISTRATOR, is_active=False
    )
    client_for(admin_user).post(f"/accounts/users/{admin_user.pk}/role/", {"role": "analyst"})
    assert Membership.objects.get(user=admin_user).role == Role.ADMINISTRATOR


# --- Removing a member ----------------------------------------------------------------------


def test_removing_a_member_ends_their_sessions_for_that_organisation_only(world):
    worker = world.a_caseworker
    MembershipFactory(user=worker, organisation=world.org_b, role=Role.CASEWORKER)
    for_a = client_for(worker)  # no choice made: acts for A, the first membership
    for_b = client_for(worker)
    for_b.post("/accounts/organisation/", {"organisation": world.org_b.pk})
    assert UserSession.objects.filter(user=worker).count() == 2

    response = client_for(_admin(world)).post(f"/accounts/users/{worker.pk}/remove/", CONFIRM)

    assert response["Location"] == "/accounts/users/"
    assert not Membership.objects.filter(user=worker, organisation=world.org_a).exists()
    assert Membership.objects.get(user=worker, organisation=world.org_b).is_active
    assert UserSession.objects.filter(user=worker).count() == 1
    assert for_a.get("/people/")["Location"].startswith("/accounts/login/")
    assert for_b.get("/people/").status_code == 200
    worker.refresh_from_db()
    assert worker.is_active
    entry = AuditEvent.objects.get(action="user.removed")
    assert entry.extra == {"role": "caseworker", "account_disabled": False, "sessions": 1}


def test_removing_someones_only_membership_switches_their_account_off(world):
    client_for(_admin(world)).post(f"/accounts/users/{world.a_caseworker.pk}/remove/", CONFIRM)
    world.a_caseworker.refresh_from_db()
    assert not world.a_caseworker.is_active
    assert AuditEvent.objects.get(action="user.removed").extra["account_disabled"] is True


def test_last_administrator_cannot_remove_themselves(world):
    admin_user = _admin(world)
    response = client_for(admin_user).post(
        f"/accounts/users/{admin_user.pk}/remove/", CONFIRM, follow=True
    )
    assert "You are the only administrator of Refugee Charity." in response.content.decode()
    assert Membership.objects.filter(user=admin_user, organisation=world.org_a).exists()


def test_an_administrator_leaving_is_signed_out(world):
    admin_user = _admin(world)
    MembershipFactory(user=UserFactory(), organisation=world.org_a, role=Role.ADMINISTRATOR)
    client = client_for(admin_user)
    response = client.post(f"/accounts/users/{admin_user.pk}/remove/", CONFIRM)
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/users/")["Location"].startswith("/accounts/login/")
    assert not Membership.objects.filter(user=admin_user).exists()


def test_only_administrators_of_the_organisation_may_remove_or_change_members(world):
    target = world.a_caseworker
    outsiders = [
        None,
        *_non_administrators(world, world.org_a),
        _admin(world, world.org_b),
        _admin(world, world.org_c),
    ]
    for action, data in (
        ("remove", {}),
        ("role", {"role": "administrator"}),
        ("set-password-link", {}),
    ):
        assert_disallowed(
            f"/accounts/users/{target.pk}/{action}/", outsiders, method="post", data=data
        )
    assert Membership.objects.get(user=target).role == Role.CASEWORKER
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_another_organisations_member_is_not_found_the_same_as_no_one(world):
    b_admin = client_for(_admin(world, world.org_b))
    for user_id in (world.a_caseworker.pk, 999_999):
        for action in ("remove", "role", "set-password-link"):
            response = b_admin.post(f"/accounts/users/{user_id}/{action}/", {"role": "analyst"})
            assert response.status_code == 404


def test_removing_a_member_asks_first_and_only_its_own_button_removes(world):
    admin = client_for(_admin(world))
    page = admin.post(f"/accounts/users/{world.a_caseworker.pk}/remove/")
    text = page.content.decode()
    assert (
        page.status_code == 200
        and "Remove refugee-charity-caseworker from this organisation?" in text
    )
    assert 'name="confirm" value="yes"' in text
    assert Membership.objects.filter(user=world.a_caseworker, organisation=world.org_a).exists()
    assert not AuditEvent.objects.filter(action="user.removed").exists()
    admin.post(f"/accounts/users/{world.a_caseworker.pk}/remove/", CONFIRM)
    assert not Membership.objects.filter(user=world.a_caseworker, organisation=world.org_a).exists()


def test_the_member_page_shows_the_role_and_removal_forms(world):
    page = client_for(_admin(world)).get(f"/accounts/users/{world.a_caseworker.pk}/")
    text = page.content.decode()
    assert f'action="/accounts/users/{world.a_caseworker.pk}/role/"' in text
    assert f'action="/accounts/users/{world.a_caseworker.pk}/remove/"' in text
    assert "Send a new set-password link" in text


def test_the_users_page_links_to_adding_a_member_and_the_settings(world):
    text = client_for(_admin(world)).get("/accounts/users/").content.decode()
    assert 'href="/accounts/users/add/"' in text
    assert 'href="/accounts/organisation/settings/"' in text
    assert 'href="/accounts/organisations/"' not in text  # A does not host the partnership


# --- A new link for someone who forgot their password ----------------------------------------


def test_administrator_sends_a_new_link_to_a_member_who_forgot_their_password(world):
    worker = world.a_caseworker
    worker.email = "forgetful@example.org"
    worker.save(update_fields=["email"])
    admin = client_for(_admin(world))
    page = admin.post(f"/accounts/users/{worker.pk}/set-password-link/", follow=True)
    shown = _link_in(page.content.decode())
    assert _link_in(mail.outbox[0].body)
    entry = AuditEvent.objects.get(action="user.set_password_link_issued")
    assert entry.extra == {"had_password": True}
    # The link is shown on this one page only.
    assert shown not in admin.get(f"/accounts/users/{worker.pk}/").content.decode()


def test_a_new_link_shown_is_the_one_e_mailed(world, slow_clock):
    worker = world.a_caseworker
    worker.email = "forgetful@example.org"
    worker.save(update_fields=["email"])
    admin = client_for(_admin(world))
    page = admin.post(f"/accounts/users/{worker.pk}/set-password-link/", follow=True)
    assert _link_in(page.content.decode()) == _link_in(mail.outbox[0].body)


def test_no_link_for_your_own_account(world):
    admin_user = _admin(world)
    response = client_for(admin_user).post(
        f"/accounts/users/{admin_user.pk}/set-password-link/", follow=True
    )
    assert "You cannot do this to your own account." in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.set_password_link_issued").exists()


def test_a_mail_server_that_fails_does_not_undo_the_addition(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = client_for(_admin(world)).post(ADD, NEW_COLLEAGUE, follow=True)
    page = response.content.decode()
    assert "the e-mail could not be sent" in page
    assert _link_in(page)
    assert Membership.objects.filter(user__username="hana.rahimi").exists()


def test_two_administrators_cannot_deactivate_each_other(world):
    """As if both pressed "Deactivate now" at once: the second finds the first already gone
    and is refused, so the organisation keeps an administrator."""
    first = _admin(world)
    second = UserFactory()
    second_membership = MembershipFactory(
        user=second, organisation=world.org_a, role=Role.ADMINISTRATOR
    )
    services.deactivate_member(by=first, organisation=world.org_a, membership=second_membership)
    first_membership = Membership.objects.get(user=first, organisation=world.org_a)
    with pytest.raises(PermissionDenied, match="They are the only administrator"):
        services.deactivate_member(by=second, organisation=world.org_a, membership=first_membership)
    assert Membership.objects.get(pk=first_membership.pk).is_active
