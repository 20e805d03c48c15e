"""Set-password links for new staff and for members who lost their password.

A link carries Django's password-reset token: an HMAC of the account's id, password hash,
last sign-in and e-mail address with a timestamp. Nothing is stored, so there is nothing to
leak from the database; the link stops working as soon as the password is set (the hash
changes), and PASSWORD_RESET_TIMEOUT after it was made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def set_password_url(user: User) -> str:
    """A full link (SITE_URL and path) that lets `user` choose a password once."""
    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def link_lifetime() -> timedelta:
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def link_expires_at() -> datetime:
    """When a link made now stops working."""
    return timezone.now() + link_lifetime()


def link_lifetime_days() -> int:
    """The lifetime in whole days, for messages ("expires in 3 days"); at least one."""
    return max(1, link_lifetime().days)
