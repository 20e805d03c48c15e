"""Who is knocking, and how often: the client's address and a per-address limit on sign-in
and code attempts.

The count lives in Django's cache. With the default in-process cache each server process
counts on its own, so the effective limit is the setting times the number of processes; the
per-user lock-out (django-axes, in the database) is the firm limit, this one only slows
guessing across many usernames from one address.

Only failed attempts count. A council office signs in from one public address: counting every
sign-in would lock the whole office out at the thirty-first colleague of the morning. The
views follow post/redirect/get, so a POST answered with a redirect is a success and anything
else (the form again with an error, a lock-out page) is a failure.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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


def _bucket(key: str, window_seconds: int) -> str:
    return f"pathmark:attempts:{key}:{int(time.time() // window_seconds)}"


def attempts_left(key: str, *, limit: int, window_seconds: int) -> bool:
    """Whether `key` may try again: fewer than `limit` failures in this window."""
    return int(cache.get(_bucket(key, window_seconds), 0)) < limit


def count_failure(key: str, *, window_seconds: int) -> None:
    bucket = _bucket(key, window_seconds)
    cache.add(bucket, 0, timeout=window_seconds)
    try:
        cache.incr(bucket)
    except ValueError:  # the entry expired between add and incr
        cache.set(bucket, 1, timeout=window_seconds)


def limit_attempts(
    kind: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuses POSTs to the view with 429 once the client's address has failed
    AUTH_RATE_LIMIT attempts of this `kind` in the current window."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            window = settings.AUTH_RATE_LIMIT_WINDOW_SECONDS
            key = f"{kind}:{client_ip(request) or 'unknown'}"
            if not attempts_left(key, limit=settings.AUTH_RATE_LIMIT, window_seconds=window):
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
                count_failure(key, window_seconds=window)
            return response

        return wrapped

    return decorator
