"""Signing in with a password: lock-out after repeated failures, the per-address rate limit,
and administrators unlocking."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import Client

from pathmark.audit.models import AuditEvent
from pathmark.testing import client_for

from .helpers import sign_in


def test_right_password_signs_in(world):
    client, response = sign_in(world.a_caseworker)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_sign_in_is_audited_without_personal_data(world):
    sign_in(world.a_caseworker)
    entry = AuditEvent.objects.get(action="account.signed_in")
    assert entry.actor == world.a_caseworker
    assert entry.organisation == world.org_a
    assert entry.extra == {}


def test_wrong_password_is_refused_with_a_form_error(world):
    client, response = sign_in(world.a_caseworker, password="not the password")
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode().lower()
    assert client.get("/").status_code == 302


def test_repeated_wrong_passwords_lock_the_username_from_that_address(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(world.a_caseworker, client=client, password="wrong")[1].status_code == 200
    response = sign_in(world.a_caseworker, client=client, password="wrong")[1]
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()


def test_locked_out_username_is_refused_even_with_the_right_password(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(world.a_caseworker, password="wrong")
    client, response = sign_in(world.a_caseworker)
    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_lock_out_does_not_stop_colleagues_at_the_same_address(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(world.a_caseworker, password="wrong")
    assert sign_in(world.a_manager)[1].status_code == 302


def test_lock_out_does_not_stop_the_user_signing_in_from_elsewhere(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(world.a_caseworker, password="wrong", REMOTE_ADDR="203.0.113.7")
    assert sign_in(world.a_caseworker, REMOTE_ADDR="198.51.100.2")[1].status_code == 302


def test_successful_sign_in_clears_earlier_failures(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(world.a_caseworker, password="wrong")
    sign_in(world.a_caseworker)
    assert not AccessAttempt.objects.filter(username=world.a_caseworker.username).exists()


def test_administrator_sees_the_lock_out_and_unlocks(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(world.a_caseworker, password="wrong")
    admin = client_for(world.member(world.org_a, "administrator"))
    page = admin.get(f"/accounts/users/{world.a_caseworker.pk}/").content.decode()
    assert "Locked out" in page
    response = admin.post(f"/accounts/users/{world.a_caseworker.pk}/unlock/")
    assert response.status_code == 302
    assert sign_in(world.a_caseworker)[1].status_code == 302
    assert AuditEvent.objects.filter(action="user.unlocked").count() == 1


def test_sign_in_attempts_from_one_address_are_rate_limited(world, settings):
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 3
    usernames = ["someone", "someone-else", "a-third", "a-fourth"]
    statuses = [
        Client().post("/accounts/login/", {"username": name, "password": "x"}).status_code
        for name in usernames
    ]
    assert statuses == [200, 200, 200, 429]


def test_rate_limit_counts_each_address_separately(world, settings):
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 1
    sign_in(world.a_manager, password="wrong", REMOTE_ADDR="203.0.113.7")
    assert sign_in(world.a_caseworker, REMOTE_ADDR="198.51.100.2")[1].status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(world, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.AUTH_RATE_LIMIT_PER_ADDRESS = 1
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}
    sign_in(world.a_manager, password="wrong", **forged)
    # A different forged first entry does not make the same client look new.
    forged["HTTP_X_FORWARDED_FOR"] = "5.6.7.8, 203.0.113.7"
    assert sign_in(world.a_caseworker, **forged)[1].status_code == 429


def test_forged_forwarded_address_cannot_break_the_lock_out_records(world, settings):
    settings.BEHIND_TLS_PROXY = True
    _, response = sign_in(
        world.a_caseworker, password="wrong", HTTP_X_FORWARDED_FOR="<script>, not-an-address"
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_next_page_after_sign_in_must_be_on_this_site(world):
    client = Client()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": world.a_caseworker.username, "password": "correct horse battery staple"},
    )
    assert response["Location"] == "/"
