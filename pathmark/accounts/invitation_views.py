"""Invitations to work for another organisation, answered by the invited person: the one way
an existing account gains a membership in the app (see services.accept_invitation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pathmark.organisations.permissions import any_member

from . import selectors, services
from .models import Invitation, User


@any_member
def invitations(request: HttpRequest) -> HttpResponse:
    """The signed-in person's unanswered invitations, each with Accept and Decline (answering
    one comes back here, so the page frame's count is right at once)."""
    waiting = list(selectors.pending_invitations(request.user))  # type: ignore[arg-type]
    selectors.keep_invitations_waiting(request, len(waiting))
    return render(request, "accounts/invitations.html", {"invitations": waiting})


def _own_invitation_or_404(request: HttpRequest, invitation_id: int) -> Invitation:
    try:
        return selectors.pending_invitation(request.user, invitation_id)  # type: ignore[arg-type]
    except Invitation.DoesNotExist:
        raise Http404 from None


@require_POST
@any_member
def accept_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Accepting asks for the person's own second factor: the two-factor middleware has sent
    a session not yet confirmed with their authenticator to confirm it, and an organisation
    that requires one is joined only once they have set one up."""
    invitation = _own_invitation_or_404(request, invitation_id)
    user: User = request.user  # type: ignore[assignment]
    if invitation.organisation.require_two_factor and not user.is_verified():  # type: ignore[attr-defined]
        messages.info(
            request,
            _(
                "%(organisation)s requires two-factor authentication. Set up an authenticator "
                "app, then accept the invitation."
            )
            % {"organisation": invitation.organisation.name},
        )
        return redirect(
            reverse("accounts:two_factor_setup")
            + "?"
            + urlencode({"next": reverse("accounts:invitations")})
        )
    try:
        services.accept_invitation(by=user, invitation=invitation)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("That is not allowed."))
    else:
        messages.success(
            request,
            _(
                "You now work for %(organisation)s too. Choose which organisation you act for "
                "on your account page."
            )
            % {"organisation": invitation.organisation.name},
        )
    return redirect("accounts:invitations")


@require_POST
@any_member
def decline_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _own_invitation_or_404(request, invitation_id)
    try:
        services.decline_invitation(by=request.user, invitation=invitation)  # type: ignore[arg-type]
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Declined. Nothing changed for your account."))
    return redirect("accounts:invitations")
