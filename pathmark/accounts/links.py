"""Set-password links for new staff and for members who lost their password, and the site
address every emailed or printed link starts with.

A link carries Django's password-reset token: an HMAC of the account's id, password hash,
last sign-in, e-mail address and state version, with a timestamp. Nothing is stored, so
there is nothing to leak from the database; the link stops working as soon as the password
is set (the hash changes), when anything else about the account changes (switched off or
on, a membership added, changed or ended, two-factor reset: the state version goes up), and
PASSWORD_RESET_TIMEOUT after it was made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


class SetPasswordTokens(PasswordResetTokenGenerator):
    """Django's token, also spent by any change of the account's state."""

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        return f"{super()._make_hash_value(user, timestamp)}:{user.state_version}"


set_password_tokens = SetPasswordTokens()


def site_address(request: HttpRequest | None = None) -> str:
    """Where the site is, without a trailing slash: the configured SITE_URL, else the address
    the request came to (so a server on another port or host gives links that work), else,
    outside a request, http://HOST:PORT."""
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return str(settings.LOCAL_SITE_URL).rstrip("/")


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (from `reverse`) as a full link, from `site_address`."""
    return site_address(request) + path


def set_password_url(user: User, *, request: HttpRequest | None = None) -> str:
    """A full link that lets `user` choose a password once."""
    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": set_password_tokens.make_token(user),
        },
    )
    return absolute_url(path, request)


def link_lifetime() -> timedelta:
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def link_expires_at() -> datetime:
    """When a link made now stops working."""
    return timezone.now() + link_lifetime()


def link_lifetime_days() -> int:
    """The lifetime in whole days, for messages ("expires in 3 days"); at least one."""
    return max(1, link_lifetime().days)
