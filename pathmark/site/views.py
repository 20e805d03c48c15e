"""The start page and the pages every visitor may reach."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pathmark.assessments.selectors import drafts_of_organisation, resume_url
from pathmark.organisations.permissions import any_member, role_may
from pathmark.people.selectors import recently_registered, record_listed
from pathmark.referrals.selectors import inbox_summary


@any_member
def home(request: HttpRequest) -> HttpResponse:
    """A caseworker's day starts here: unfinished assessments and recent registrations."""
    context: dict[str, object] = {}
    if role_may(request.membership.role, "person.view"):  # type: ignore[attr-defined]
        drafts = drafts_of_organisation(organisation=request.organisation)
        recent = recently_registered(organisation=request.organisation)
        context["drafts"] = [(draft, resume_url(draft)) for draft in drafts]
        context["recent_people"] = recent
        if drafts or recent:
            record_listed(
                actor=request.user,
                organisation=request.organisation,
                people=[draft.person for draft in drafts] + list(recent),
                page="home",
            )
    if role_may(request.membership.role, "referral.receive"):  # type: ignore[attr-defined]
        # Counts only: the home page names no one who was referred.
        context["inbox"] = inbox_summary(organisation=request.organisation)
    return render(request, "site/home.html", context)


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: says the process answers, nothing more."""
    return HttpResponse("ok", content_type="text/plain")
