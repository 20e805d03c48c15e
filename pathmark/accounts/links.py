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
from django.contrib.sessions.backends.base import SessionBase
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

    def stamp_now(self) -> int:
        """Now, as a token counts time (whole seconds)."""
        return int(self._num_seconds(self._now()))

    def make_token_at(self, user: User, stamp: int) -> str:
        """The token `make_token` gave at `stamp`: the same link again, not a new one."""
        return str(self._make_token_with_timestamp(user, stamp, self.secret))


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


def set_password_url(
    user: User, *, request: HttpRequest | None = None, made: int | None = None
) -> str:
    """A full link that lets `user` choose a password once: made now, or the very link made at
    `made` (a `link_made_now()`), so a page can show the link that was just e-mailed."""
    stamp = set_password_tokens.stamp_now() if made is None else made
    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": set_password_tokens.make_token_at(user, stamp),
        },
    )
    return absolute_url(path, request)


def link_made_now() -> int:
    """The moment a link is made, as its token counts it. A page that shows a link once
    keeps this (never the link itself) in the session and makes the same link from it."""
    return set_password_tokens.stamp_now()


def remember_link(session: SessionBase, key: str, *ids: int, made: int) -> None:
    """Notes in the session that the next page shows, once, the link for `ids` made at `made`
    (the one just e-mailed, if one was)."""
    session[key] = [*ids, made]


def recall_link_note(session: SessionBase, key: str, count: int) -> tuple[list[int], int] | None:
    """The `count` ids and the moment `remember_link` noted, forgetting the note; None when
    there is none of that shape."""
    note = session.pop(key, None)
    if not (
        isinstance(note, list)
        and len(note) == count + 1
        and all(isinstance(part, int) for part in note)
    ):
        return None
    return note[:-1], note[-1]


def recall_link(session: SessionBase, key: str, *ids: int) -> int | None:
    """When the link for `ids` noted by `remember_link` was made, forgetting the note; None when
    the note is for something else or there is none."""
    note = recall_link_note(session, key, len(ids))
    return note[1] if note is not None and note[0] == list(ids) else None


def link_lifetime() -> timedelta:
    return timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def link_expires_at(made: int | None = None) -> datetime:
    """When a link made now, or at `made`, stops working."""
    age = 0 if made is None else max(0, set_password_tokens.stamp_now() - made)
    return timezone.now() + link_lifetime() - timedelta(seconds=age)


def link_lifetime_days() -> int:
    """The lifetime in whole days, for messages ("expires in 3 days"); at least one."""
    return max(1, link_lifetime().days)
