"""Hardening: security headers, a strict Content-Security-Policy that the templates can live
with, CSRF on every state-changing request, and Django's deployment checks passing with
production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from pathmark.accounts.models import UserSession
from pathmark.testing import client_for

INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)|<style|\sstyle=\"|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


def test_pages_send_a_strict_content_security_policy(db):
    policy = _csp(Client().get("/accounts/login/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_signed_in_pages_send_the_policy_too(world):
    response = client_for(world.a_caseworker).get("/people/")
    assert _csp(response)["script-src"] == ["'self'"]


def test_pages_may_not_be_framed(db):
    response = Client().get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"


def test_browsers_are_told_not_to_guess_content_types(db):
    assert Client().get("/accounts/login/")["X-Content-Type-Options"] == "nosniff"


def test_referrer_stays_on_the_site(db):
    response = Client().get("/accounts/login/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(world):
    response = client_for(world.a_caseworker).get("/people/")
    assert response["Cache-Control"] == "no-store"


def test_session_cookie_is_out_of_reach_of_scripts_and_other_sites(world):
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": world.a_caseworker.username, "password": "correct horse battery staple"},
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def _templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "pathmark"
    return sorted(root.glob("templates/**/*.html")) + sorted(root.glob("*/templates/**/*.html"))


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    """The policy forbids them, so a browser would silently ignore them: fail here instead."""
    templates = _templates()
    assert len(templates) > 10
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group()!r}"
        for path in templates
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "Inline code the Content-Security-Policy blocks:\n" + "\n".join(offenders)


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_caseworker)
    client.get("/")
    response = client.post("/accounts/sign-out-everywhere/")
    assert response.status_code == 403
    assert UserSession.objects.filter(user=world.a_caseworker).exists()


def test_script_post_without_csrf_token_is_refused(world):
    """HTMX and fetch() requests get no exemption: the header must carry the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_caseworker)
    client.get("/")
    response = client.post(
        "/people/", {"q": "anyone"}, HTTP_HX_REQUEST="true", HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 403


def test_script_post_with_the_token_in_a_header_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_caseworker)
    client.get("/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/people/", {"q": "anyone"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_sign_in_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": world.a_caseworker.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 403
    assert "The form had expired" in response.content.decode()
    assert not INLINE_CODE.search(response.content.decode())


@pytest.mark.skipif(sys.platform == "win32", reason="runs the console script")
def test_deployment_checks_pass_with_production_settings(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "SECURE", "SESSION", "DEBUG"))
    }
    environment.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "pathmark.example.org",
            "PATHMARK_ENV_FILE": str(tmp_path / "no.env"),
            "DJANGO_SETTINGS_MODULE": "pathmark.settings",
        }
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-m", "pathmark", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
