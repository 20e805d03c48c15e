"""The set-password link: works once, expires, enforces the password rules, and leads to
two-factor set-up when an organisation of the person requires it."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pathmark.accounts.links import SetPasswordTokens, set_password_tokens, set_password_url
from pathmark.accounts.models import User, UserSession
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.testing import MembershipFactory, UserFactory, client_for

from .helpers import sign_in

NEW_PASSWORD = "a long and unusual passphrase 4 me"


def _newcomer(organisation) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(username="newcomer", email="newcomer@example.org")
    user.set_unusable_password()
    user.save()
    MembershipFactory(user=user, organisation=organisation, role=Role.CASEWORKER)
    return user


def _path(link: str) -> str:
    return urlsplit(link).path


def _open(link: str) -> tuple[Client, str]:
    """Opens the link as the person would; Django moves the token into the session and
    redirects to a URL without it. Returns the client and the form's address."""
    client = Client()
    response = client.get(_path(link))
    assert response.status_code == 302, response.status_code
    return client, response["Location"]


def _choose(client: Client, form_url: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_link_lets_the_person_choose_a_password_and_signs_them_in(world):
    user = _newcomer(world.org_a)
    client, form_url = _open(set_password_url(user))
    page = client.get(form_url).content.decode()
    assert "Your username is <strong>newcomer</strong>" in page
    response = _choose(client, form_url)
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="account.password_set", actor=user).exists()
    # And the password works at the sign-in page.
    _, signed_in = sign_in(user, password=NEW_PASSWORD)
    assert signed_in.status_code == 302


def test_link_works_once(world):
    user = _newcomer(world.org_a)
    link = set_password_url(user)
    client, form_url = _open(link)
    _choose(client, form_url)
    again = Client().get(_path(link))
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_link_expires(world, settings):
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60

    class TwoHoursAgo(SetPasswordTokens):
        def _now(self):  # type: ignore[no-untyped-def]
            return datetime.now() - timedelta(hours=2)

    user = _newcomer(world.org_a)
    token = TwoHoursAgo().make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = Client().get(f"/accounts/set-password/{uid}/{token}/")
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    fresh = set_password_tokens.make_token(user)
    assert Client().get(f"/accounts/set-password/{uid}/{fresh}/").status_code == 302


def test_password_rules_apply(world):
    user = _newcomer(world.org_a)
    client, form_url = _open(set_password_url(user))
    for weak in ("short", "123456789012345", "newcomer12345", "password1234"):
        response = _choose(client, form_url, weak)
        assert response.status_code == 200, weak
        assert "error-summary" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_two_passwords_must_match(world):
    user = _newcomer(world.org_a)
    client, form_url = _open(set_password_url(user))
    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_organisation_requiring_two_factor_sends_them_to_set_it_up(world, strict_org):
    user = _newcomer(strict_org)
    client, form_url = _open(set_password_url(user))
    response = _choose(client, form_url)
    assert response["Location"] == "/accounts/two-factor/"
    # Every other page waits until it is set up.
    assert client.get("/people/")["Location"].startswith("/accounts/two-factor/")


def test_link_for_a_switched_off_account_does_not_work(world):
    user = _newcomer(world.org_a)
    link = set_password_url(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = Client().get(_path(link))
    assert "This link does not work" in response.content.decode()


def test_setting_a_password_ends_the_accounts_other_sessions(world):
    """A link sent to someone who forgot their password: whoever was signed in as them
    before is signed out."""
    worker = world.a_caseworker
    earlier = client_for(worker)
    client, form_url = _open(set_password_url(worker))
    _choose(client, form_url)
    assert earlier.get("/people/")["Location"].startswith("/accounts/login/")
    assert UserSession.objects.filter(user=worker).count() == 1


def test_a_made_up_link_changes_nothing(world):
    user = _newcomer(world.org_a)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    client = Client()
    response = client.post(
        f"/accounts/set-password/{uid}/set-password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "This link does not work" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
