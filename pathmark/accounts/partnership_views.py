"""Every staff account of the partnership, for the host organisation's administrators.

An account that works for several organisations belongs to none of them alone: its second
factor, lock-out, password and whether it is switched on are changed only by someone who
administers every organisation it works for, or by the host's administrators (see
selectors.owns_account). Other administrators' pages send people here, so these pages make
that rule something a person can act on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from pathmark.organisations.permissions import requires

from . import selectors, services
from .links import link_expires_at, link_made_now, recall_link, remember_link, set_password_url
from .models import User
from .organisation_views import host_or_404
from .views import confirm_first, two_factor_reset_done, two_factor_reset_question

ACCOUNTS_PAGE = 50
# The account whose new set-password link the next page shows, once (its id only).
SHOW_LINK_FOR = "pathmark_show_account_link_for"


@requires("users.manage")
def accounts(request: HttpRequest) -> HttpResponse:
    host_or_404(request)
    # What was typed, without control characters (a NUL byte cannot reach PostgreSQL).
    query = "".join(c for c in request.GET.get("q", "")[:100] if c.isprintable())
    page = Paginator(selectors.partnership_accounts(query), ACCOUNTS_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/partnership_accounts.html",
        {
            "page_obj": page,
            "accounts": selectors.accounts_with_memberships(list(page.object_list)),
            "query": query,
            "query_string": urlencode({"q": query}) + "&" if query else "",
        },
    )


ACTIONS: dict[str, Callable[..., object]] = {
    "unlock": services.unlock_account,
    "reset_two_factor": services.reset_two_factor,
    "switch_off": services.switch_off_account,
    "switch_on": services.switch_on_account,
    "set_password_link": services.issue_set_password_link,
}


def _done(action: str) -> str:
    # The words are translated here, where gettext sees them, not when the module loads.
    return {
        "unlock": _("Unlocked. They can sign in again with their password."),
        "reset_two_factor": two_factor_reset_done(),
        "switch_off": _(
            "Switched off everywhere. Their sessions have ended and they can no longer sign in."
        ),
        "switch_on": _(
            "Switched on. They can sign in again for every organisation where their membership "
            "is active."
        ),
    }.get(action, "")


def _confirmation(action: str) -> tuple[str, str, str] | None:
    """What the page asking first says, for the actions that cannot be undone in one click."""
    if action == "switch_off":
        return (
            _("Switch this account off everywhere?"),
            _(
                "They can no longer sign in for any organisation and every session of theirs "
                "ends at once. Their memberships stay, so switching the account on again "
                "restores them."
            ),
            _("Switch off everywhere"),
        )
    if action == "reset_two_factor":
        return two_factor_reset_question()
    return None


@requires("users.manage")
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    host = host_or_404(request)
    try:
        found = selectors.partnership_account(user_id)
    except User.DoesNotExist:
        raise Http404 from None
    is_self = found.user.pk == request.user.pk
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Choose one of the actions on this page."))
            return redirect("accounts:partnership_account", user_id=user_id)
        confirm = _confirmation(action)
        if confirm is not None and request.POST.get("confirm") != "yes":
            return confirm_first(
                request,
                confirm,
                username=found.user.username,
                action_url=request.path,
                cancel_url=request.path,
                fields=(("action", action),),
            )
        service = ACTIONS[action]
        try:
            service(by=request.user, organisation=host, user=found.user)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal) or _("That is not allowed."))
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            if action == "set_password_link":
                remember_link(request.session, SHOW_LINK_FOR, found.user.pk, made=link_made_now())
                messages.success(
                    request,
                    _(
                        "A new link is below, shown this once. Pass it on to them yourself, "
                        "in a way you trust; whoever holds it can sign in as them."
                    ),
                )
            else:
                messages.success(request, _done(action))
        return redirect("accounts:partnership_account", user_id=user_id)
    link = None
    made = recall_link(request.session, SHOW_LINK_FOR, found.user.pk)
    if made is not None and found.user.is_active:
        link = set_password_url(found.user, request=request, made=made)
    return render(
        request,
        "accounts/partnership_account.html",
        {
            "account": found,
            "is_self": is_self,
            "set_password_link": link,
            "link_expires_at": link_expires_at(made) if link else None,
        },
    )
