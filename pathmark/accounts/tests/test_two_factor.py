"""The second factor: set-up after the password for organisations that require it, a code
for every new session, backup codes, throttling, and administrators resetting it."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathmark.accounts.models import UserSession
from pathmark.audit.models import AuditEvent
from pathmark.testing import client_for

from .helpers import app_code, give_authenticator, sign_in

BACKUP_CODE = re.compile(r"<li>([a-z2-7]{8})</li>")


def _set_up(client: Client, user) -> list[str]:  # type: ignore[no-untyped-def]
    """Goes through the set-up page as the user; returns the backup codes shown."""
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/", {"code": app_code(device)})
    assert response.status_code == 200, response.content
    return BACKUP_CODE.findall(response.content.decode())


def test_member_of_a_strict_organisation_is_sent_to_set_up_after_the_password(strict_org, world):
    _, response = sign_in(world.a_caseworker)
    assert response["Location"].startswith("/accounts/two-factor/")


def test_without_a_second_factor_nothing_else_can_be_reached(strict_org, world):
    client, _ = sign_in(world.a_caseworker)
    for url in ("/", "/people/", "/accounts/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/"), url
    response = client.post("/people/register/", {"name": "Someone"})
    assert response["Location"] == "/accounts/two-factor/"


def test_strict_organisation_applies_to_every_role(strict_org, world):
    for role, user in world.members[strict_org.slug].items():
        client = client_for(user)
        assert client.get("/").status_code == 302, role


def test_organisation_that_does_not_require_it_lets_members_in_with_a_password(world):
    client, response = sign_in(world.b_caseworker)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_set_up_page_shows_a_qr_code_and_the_key(strict_org, world):
    client, _ = sign_in(world.a_caseworker)
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert 'class="secret-key"' in page


def test_set_up_with_the_right_code_shows_backup_codes_once_and_lets_the_user_in(strict_org, world):
    client, _ = sign_in(world.a_caseworker)
    codes = _set_up(client, world.a_caseworker)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    account_page = client.get("/accounts/").content.decode()
    assert not any(code in account_page for code in codes)
    assert AuditEvent.objects.filter(action="account.two_factor_enrolled").count() == 1


def test_set_up_with_a_wrong_code_is_refused(strict_org, world):
    client, _ = sign_in(world.a_caseworker)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.a_caseworker, confirmed=True).exists()
    assert client.get("/").status_code == 302


def test_reloading_the_set_up_page_keeps_the_same_key(strict_org, world):
    client, _ = sign_in(world.a_caseworker)
    key = re.compile(r'<p class="secret-key".*?</p>', re.S)
    first = key.search(client.get("/accounts/two-factor/").content.decode())
    second = key.search(client.get("/accounts/two-factor/").content.decode())
    assert first and second and first.group() == second.group()
    assert TOTPDevice.objects.filter(user=world.a_caseworker).count() == 1


def test_user_with_an_authenticator_is_asked_for_a_code_after_the_password(world):
    give_authenticator(world.b_caseworker)
    client, response = sign_in(world.b_caseworker)
    assert response["Location"].startswith("/accounts/verify/")
    assert client.get("/people/")["Location"].startswith("/accounts/verify/")


def test_right_code_from_the_app_lets_the_user_in(world):
    device, _ = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    response = client.post("/accounts/verify/", {"code": app_code(device), "next": "/people/"})
    assert response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200


def test_wrong_code_is_refused(world):
    give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    response = client.post("/accounts/verify/", {"code": "123456"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="account.code_refused").count() == 1


def test_wrong_code_makes_the_next_try_wait(world):
    device, _ = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    client.post("/accounts/verify/", {"code": "123456"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_after_repeated_wrong_codes_even_the_right_code_must_wait(world):
    device, _ = give_authenticator(world.b_caseworker)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    client, _ = sign_in(world.b_caseworker)
    response = client.post("/accounts/verify/", {"code": app_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/").status_code == 302


def test_code_attempts_from_one_address_are_rate_limited(world, settings):
    settings.AUTH_RATE_LIMIT = 2
    give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    statuses = [client.post("/accounts/verify/", {"code": "1"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_each_code_works_only_once(world):
    device, _ = give_authenticator(world.b_caseworker)
    code = app_code(device)
    first, _ = sign_in(world.b_caseworker)
    first.post("/accounts/verify/", {"code": code})
    second, _ = sign_in(world.b_caseworker)
    response = second.post("/accounts/verify/", {"code": code})
    assert response.status_code == 200
    assert second.get("/").status_code == 302


def test_every_new_session_needs_its_own_code(world):
    device, _ = give_authenticator(world.b_caseworker)
    first, _ = sign_in(world.b_caseworker)
    first.post("/accounts/verify/", {"code": app_code(device)})
    second, _ = sign_in(world.b_caseworker)
    assert second.get("/").status_code == 302
    second.post("/accounts/verify/", {"code": app_code(device, steps_ahead=1)})
    assert second.get("/").status_code == 200


def test_backup_code_lets_the_user_in_once(world):
    _, codes = give_authenticator(world.b_caseworker)
    first, _ = sign_in(world.b_caseworker)
    response = first.post("/accounts/verify/", {"code": codes[0].upper()}, follow=True)
    assert "You used a backup code; 9 are left" in response.content.decode()
    second, _ = sign_in(world.b_caseworker)
    assert second.post("/accounts/verify/", {"code": codes[0]}).status_code == 200
    assert second.get("/").status_code == 302


def test_confirming_the_second_factor_gives_the_session_a_new_key(world):
    device, _ = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    before = client.session.session_key
    client.post("/accounts/verify/", {"code": app_code(device)})
    assert client.session.session_key != before
    assert not UserSession.objects.filter(session_key=before).exists()


def test_new_backup_codes_replace_the_old_ones(world):
    device, old_codes = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    client.post("/accounts/verify/", {"code": app_code(device)})
    response = client.post("/accounts/backup-codes/")
    new_codes = BACKUP_CODE.findall(response.content.decode())
    assert len(new_codes) == 10
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(old_codes)


def test_moving_to_a_new_phone_needs_a_confirmed_session(world):
    give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    response = client.get("/accounts/two-factor/")
    assert response["Location"].startswith("/accounts/verify/")


def test_new_phone_replaces_the_old_authenticator(world):
    old_device, _ = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    client.post("/accounts/verify/", {"code": app_code(old_device)})
    _set_up(client, world.b_caseworker)
    assert list(TOTPDevice.objects.filter(user=world.b_caseworker)) != [old_device]
    assert TOTPDevice.objects.filter(user=world.b_caseworker).count() == 1


def test_administrator_resets_a_lost_second_factor_and_ends_the_sessions(strict_org, world):
    device, _ = give_authenticator(world.a_caseworker)
    member, _ = sign_in(world.a_caseworker)
    member.post("/accounts/verify/", {"code": app_code(device)})
    admin = client_for(world.member(strict_org, "administrator"))
    give_authenticator(world.member(strict_org, "administrator"))
    admin_device = TOTPDevice.objects.get(user=world.member(strict_org, "administrator"))
    admin.post("/accounts/verify/", {"code": app_code(admin_device)})
    response = admin.post(
        f"/accounts/users/{world.a_caseworker.pk}/reset-two-factor/", {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.a_caseworker).exists()
    assert not StaticDevice.objects.filter(user=world.a_caseworker).exists()
    assert member.get("/")["Location"].startswith("/accounts/login/")
    assert sign_in(world.a_caseworker)[1]["Location"].startswith("/accounts/two-factor/")
    entry = AuditEvent.objects.get(action="user.two_factor_reset")
    assert entry.object_id == str(world.a_caseworker.pk)


def test_verify_page_does_not_redirect_off_the_site(world):
    device, _ = give_authenticator(world.b_caseworker)
    client, _ = sign_in(world.b_caseworker)
    response = client.post(
        "/accounts/verify/", {"code": app_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_member_of_a_strict_and_a_lenient_organisation_must_set_up_in_either(strict_org, world):
    """The requirement follows every organisation the user acts for, whichever one the
    session has chosen (the middleware reads it from the memberships it loaded anyway)."""
    from pathmark.accounts.selectors import two_factor_required
    from pathmark.organisations.models import Membership, Role
    from pathmark.organisations.scoping import system_scope

    user = world.b_caseworker
    client = client_for(user)
    assert client.get("/").status_code == 200
    with system_scope("test: a second membership"):
        Membership.objects.create(user=user, organisation=strict_org, role=Role.CASEWORKER)
        loaded = list(
            Membership.objects.filter(
                user=user, is_active=True, organisation__is_active=True
            ).select_related("organisation")
        )
    assert two_factor_required(user) and two_factor_required(user, loaded)
    # The session still acts for the lenient organisation, the user's first.
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    # Without the strict one (its membership ended), the password is enough again.
    with system_scope("test: the membership ends"):
        Membership.objects.filter(user=user, organisation=strict_org).update(is_active=False)
        loaded = [m for m in loaded if m.organisation_id != strict_org.pk]
    assert not two_factor_required(user) and not two_factor_required(user, loaded)
    assert client.get("/").status_code == 200
