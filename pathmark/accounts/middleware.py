"""Session limits and the second factor, enforced for every request rather than per view.

`SessionLimitsMiddleware` ends a session SESSION_MAX_AGE after sign-in however active it is,
and keeps the idle limit (the session's age, SESSION_COOKIE_AGE) running from the last request:
it refreshes the session's expiry at most once every SESSION_REFRESH_SECONDS, so a page read
does not also write the session row every time. The same once-a-minute refresh recounts the invitations waiting for the user, which the page
frame's badge shows from the session (so a page view asks the database nothing for it).
`TwoFactorMiddleware` sends a signed-in user
who has not confirmed this session with a second factor to do so, and a member of an
organisation that requires one, who has none yet, to set it up: until then they reach only
those pages and the public ones (sign out, language).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .backends import LOADED_AUTHENTICATOR
from .selectors import has_authenticator, keep_invitations_waiting, two_factor_required

SIGNED_IN_AT = "pathmark_signed_in_at"
REFRESHED_AT = "pathmark_refreshed_at"


def mark_signed_in(request: HttpRequest) -> None:
    request.session[SIGNED_IN_AT] = int(time.time())


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                # Sessions made without the sign-in page (tests' force_login) start now.
                mark_signed_in(request)
            elif time.time() - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
                messages.info(
                    request, _("For your safety you were signed out. Please sign in again.")
                )
                return self.get_response(request)
            _refresh_idle_clock(request)
        return self.get_response(request)


def _refresh_idle_clock(request: HttpRequest) -> None:
    """Changing the session makes the session middleware save it, which moves its expiry
    SESSION_COOKIE_AGE past now. Once a minute is enough: the idle limit is then between
    SESSION_COOKIE_AGE minus a minute and SESSION_COOKIE_AGE, and reads write nothing else.
    The invitations waiting are counted again in the same write: an invitation sent to a
    signed-in user shows in their page frame within the minute."""
    now = int(time.time())
    if now - request.session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
        request.session[REFRESHED_AT] = now
        keep_invitations_waiting(request)


def two_factor_exempt(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view a signed-in user may reach before confirming the second factor."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: Any,
        kwargs: Any,
    ) -> HttpResponse | None:
        if getattr(view, "login_required", True) is False or getattr(
            view, "two_factor_exempt", False
        ):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        # As the request began (read with the user), else asked now.
        loaded = getattr(user, LOADED_AUTHENTICATOR, None)
        if loaded if loaded is not None else has_authenticator(user):  # type: ignore[arg-type]
            destination = "accounts:verify"
        elif two_factor_required(user, getattr(request, "memberships", None)):  # type: ignore[arg-type]
            destination = "accounts:two_factor_setup"
        else:
            return None
        url = reverse(destination)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
