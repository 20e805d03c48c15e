"""Who is knocking, and how often: the client's address, and limits on failed sign-in, code
and password attempts counted per account and per address separately.

Each count is a sliding window: the window is cut into slots, each an atomic counter in
Django's cache (`incr`, so concurrent failures are all counted on any cache backend), and
the count is the sum of every slot that overlaps the last window. A burst across a boundary
therefore gets no extra attempts; a failure is forgotten between one window and one window
plus a slot after it. With the default in-process cache each server process counts on its
own, so the effective limit is the setting times the number of processes: configure a shared
cache (CACHE_URL, e.g. Redis) in production. Either way the database lock-out (django-axes,
per account and address) is the firm limit; these only slow guessing.

Per account (AUTH_RATE_LIMIT): failures for one username, from whatever address, so guessing
one person's password from many addresses is slowed. Per address
(AUTH_RATE_LIMIT_PER_ADDRESS, higher): failures from one address, whatever username, so
guessing across many usernames is slowed, while one colleague's typos behind a shared office
address (or every user, behind a proxy without BEHIND_TLS_PROXY) do not lock out the rest.

Only failed attempts count. A council office signs in from one public address: counting every
sign-in would lock the whole office out at the thirty-first colleague of the morning. The
views follow post/redirect/get, so a POST answered with a redirect is a success and anything
else (the form again with an error, a lock-out page) is a failure.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Slots per window: the finer, the closer to an exact sliding window (a failure is kept for
# at most 1/SLOTS of a window too long), at the price of one cache key per slot read.
SLOTS = 10


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client. Behind the TLS proxy (BEHIND_TLS_PROXY) that is the last
    X-Forwarded-For entry, the one the proxy itself appended; anything malformed falls back to
    the connection's address, so a forged header cannot break the lock-out records."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidates = [part.strip() for part in forwarded.split(",") if part.strip()]
        if candidates and _is_address(candidates[-1]):
            return candidates[-1]
    address = request.META.get("REMOTE_ADDR", "")
    return address if _is_address(address) else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _slot_seconds(window_seconds: int) -> int:
    return max(1, math.ceil(window_seconds / SLOTS))


def _slot_keys(key: str, window_seconds: int, now: float) -> tuple[str, list[str]]:
    """The key of the current slot, and those of every slot overlapping the last window."""
    width = _slot_seconds(window_seconds)
    current = int(now // width)
    span = math.ceil(window_seconds / width)
    keys = [
        f"pathmark:attempts:{key}:{width}:{slot}" for slot in range(current - span, current + 1)
    ]
    return keys[-1], keys


def failures(key: str, *, window_seconds: int) -> int:
    """Failures counted for `key` in the last window (see the module's docstring)."""
    _current, keys = _slot_keys(key, window_seconds, time.time())
    return sum(int(value) for value in cache.get_many(keys).values())


def attempts_left(key: str, *, limit: int, window_seconds: int) -> bool:
    """Whether `key` may try again: fewer than `limit` failures in the last window."""
    return failures(key, window_seconds=window_seconds) < limit


def count_failure(key: str, *, window_seconds: int) -> None:
    current, _keys = _slot_keys(key, window_seconds, time.time())
    timeout = window_seconds + 2 * _slot_seconds(window_seconds)
    cache.add(current, 0, timeout=timeout)
    try:
        cache.incr(current)
    except ValueError:  # the entry expired between add and incr
        cache.set(current, 1, timeout=timeout)


def _account_of(request: HttpRequest, kind: str) -> str | None:
    """Whose account the attempt is for: the signed-in user (codes, password changes) or the
    username typed on the sign-in form, in any letter case (hashed: a cache key holds no
    name and no characters a cache could refuse)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user-{user.pk}"
    username = request.POST.get("username", "")
    if not isinstance(username, str) or not username.strip():
        return None
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def limit_attempts(
    kind: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuses POSTs to the view with 429 once the account has failed AUTH_RATE_LIMIT
    attempts of this `kind` in the last window, or the client's address
    AUTH_RATE_LIMIT_PER_ADDRESS."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            window = settings.AUTH_RATE_LIMIT_WINDOW_SECONDS
            counted = [(f"{kind}:address:{client_ip(request) or 'unknown'}", _per_address_limit())]
            account = _account_of(request, kind)
            if account is not None:
                counted.append((f"{kind}:account:{account}", settings.AUTH_RATE_LIMIT))
            if not all(
                attempts_left(key, limit=limit, window_seconds=window) for key, limit in counted
            ):
                response = render(
                    request,
                    "accounts/rate_limited.html",
                    {"minutes": max(1, window // 60)},
                    status=429,
                )
                response["Retry-After"] = str(window)
                return response
            response = view(request, *args, **kwargs)
            if not 300 <= response.status_code < 400:
                for key, _limit in counted:
                    count_failure(key, window_seconds=window)
            return response

        return wrapped

    return decorator


def _per_address_limit() -> int:
    return int(getattr(settings, "AUTH_RATE_LIMIT_PER_ADDRESS", settings.AUTH_RATE_LIMIT))
