"""Sessions end after inactivity, after a maximum lifetime, on a password change, when the
user signs out everywhere, and when an administrator deactivates the user."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathmark.accounts.middleware import REFRESHED_AT, SIGNED_IN_AT
from pathmark.accounts.models import UserSession
from pathmark.audit.models import AuditEvent
from pathmark.testing import PASSWORD, client_for

from .helpers import sign_in

NEW_PASSWORD = "a much longer new passphrase 2026"


def _session_row(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_session_records_whose_it_is(world):
    client, _ = sign_in(world.a_caseworker)
    assert _session_row(client).user == world.a_caseworker


def test_session_expires_after_the_idle_time(world, settings):
    client = client_for(world.a_caseworker)
    client.get("/")
    expires_in = _session_row(client).expire_date - timezone.now()
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)


def test_a_request_a_minute_after_the_last_pushes_the_idle_expiry_back(world):
    client = client_for(world.a_caseworker)
    client.get("/")
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - 61
    session.save()
    UserSession.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    client.get("/")
    assert _session_row(client).expire_date - timezone.now() > timedelta(minutes=29)


def test_reads_within_a_minute_do_not_write_the_session(world):
    client = client_for(world.a_caseworker)
    client.get("/")
    before = _session_row(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/people/").status_code == 200
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "accounts_usersession" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []
    assert _session_row(client).expire_date == before


def test_idle_session_is_sent_to_sign_in(world):
    client = client_for(world.a_caseworker)
    client.get("/")
    UserSession.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_ends_after_its_maximum_lifetime_however_busy(world, settings):
    client = client_for(world.a_caseworker)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_MAX_AGE - 1
    session.save()
    response = client.get("/people/")
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world):
    this_one, _ = sign_in(world.a_caseworker)
    other, _ = sign_in(world.a_caseworker)
    response = this_one.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/"
    assert this_one.get("/").status_code == 200
    assert other.get("/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="account.password_changed").count() == 1


def test_a_session_made_with_the_old_password_hash_ends_on_change(world):
    """Django's session hash: even a session the deletion missed stops at its next request."""
    other = client_for(world.a_caseworker)
    world.a_caseworker.set_password(NEW_PASSWORD)
    world.a_caseworker.save()
    assert other.get("/")["Location"].startswith("/accounts/login/")


def test_new_password_must_pass_the_policy(world):
    client, _ = sign_in(world.a_caseworker)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_password_change_needs_the_current_password(world):
    client, _ = sign_in(world.a_caseworker)
    response = client.post(
        "/accounts/password/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    world.a_caseworker.refresh_from_db()
    assert world.a_caseworker.check_password(PASSWORD)


def test_sign_out_everywhere_ends_every_session_of_the_user_only(world):
    phone, _ = sign_in(world.a_caseworker)
    desk, _ = sign_in(world.a_caseworker)
    colleague, _ = sign_in(world.a_manager)
    response = desk.post("/accounts/sign-out-everywhere/")
    assert response["Location"] == "/accounts/login/"
    assert desk.get("/")["Location"].startswith("/accounts/login/")
    assert phone.get("/")["Location"].startswith("/accounts/login/")
    assert colleague.get("/").status_code == 200
    assert not UserSession.objects.filter(user=world.a_caseworker).exists()
    entry = AuditEvent.objects.get(action="account.signed_out_everywhere")
    assert entry.extra == {"sessions": 2}


def test_sign_out_everywhere_needs_a_post(world):
    client = client_for(world.a_caseworker)
    assert client.get("/accounts/sign-out-everywhere/").status_code == 405


def test_deactivated_user_is_signed_out_at_once(world):
    member, _ = sign_in(world.a_caseworker)
    admin = client_for(world.member(world.org_a, "administrator"))
    admin.post(f"/accounts/users/{world.a_caseworker.pk}/deactivate/", {"confirm": "yes"})
    assert member.get("/")["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=world.a_caseworker).exists()
    assert sign_in(world.a_caseworker)[1].status_code == 200


def test_inactive_user_with_a_surviving_session_is_anonymous(world):
    """Deactivation deletes sessions; this shows the second lock: Django refuses inactive
    users at every request even if a session row were left."""
    member = client_for(world.a_caseworker)
    type(world.a_caseworker).objects.filter(pk=world.a_caseworker.pk).update(is_active=False)
    assert member.get("/")["Location"].startswith("/accounts/login/")
