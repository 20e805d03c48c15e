"""Choosing which organisation a member acts for, when they belong to several."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from pathmark.organisations.middleware import SESSION_KEY
from pathmark.organisations.permissions import any_member


@require_POST
@any_member
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    if not request.user.memberships.filter(  # type: ignore[union-attr]
        organisation_id=organisation_id, is_active=True
    ).exists():
        raise Http404
    request.session[SESSION_KEY] = organisation_id
    return redirect("core:home")
