"""The caseworker's side (make, show, stop a client's link) and the client's side: one page
that asks the questions once, then shows the client their own journey.

The client's page is reached without an account: the secret in the URL is the only key. It
runs in the scope of the organisation that made the link, shows nothing of anyone else, works
without JavaScript, and is never cached or indexed. Wrong, expired and stopped links count
towards a per-address limit, as failed sign-ins do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pathmark.accounts.links import absolute_url
from pathmark.accounts.ratelimit import attempts_left, client_ip, count_failure
from pathmark.assessments.forms import questions_of
from pathmark.assessments.selectors import instrument_of
from pathmark.assessments.text import direction, in_language, language_of
from pathmark.audit.services import record
from pathmark.core.forms import attach_service_errors
from pathmark.journeys.reflection import reflection_context
from pathmark.journeys.selectors import read_journeys
from pathmark.organisations.permissions import requires
from pathmark.organisations.scoping import organisation_scope
from pathmark.people.lookups import person_or_404
from pathmark.people.models import Person

from . import delivery, services
from .forms import IssueLinkForm, answer_forms
from .models import ClientLink, Delivery
from .selectors import link_for_secret

# --- The caseworker's side -----------------------------------------------------------------


@requires("assessment.run")
def issue(request: HttpRequest, person_id: int) -> HttpResponse:
    """Makes a link and shows it once (a QR code and the address), or sends it. The answer to
    the POST is the page itself, never a redirect: the secret is not kept anywhere to show
    again, and the page is not cached."""
    person = person_or_404(request, person_id, action="person.viewed_for_assessment")
    form = IssueLinkForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.issue_link(
                by=request.user,
                organisation=request.organisation,
                person=person,
                instrument_slug=data["instrument"],
                language=data["language"],
                delivery=data["delivery"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return _issued(request, person, issued)
    response = render(request, "selfservice/issue.html", {"form": form, "person": person})
    response["Cache-Control"] = "no-store"
    return response


def _issued(request: HttpRequest, person: Person, issued: services.IssuedLink) -> HttpResponse:
    link = issued.link
    url = absolute_url(reverse("selfservice:client", args=[issued.secret]), request)
    sent = None
    if link.delivery == Delivery.EMAIL and person.email:
        sent = delivery.send_by_email(link=link, url=url, address=person.email)
    elif link.delivery == Delivery.SMS and person.phone:
        sent = delivery.send_by_sms(link=link, url=url, number=person.phone)
    response = render(
        request,
        "selfservice/issued.html",
        {
            "person": person,
            "link": link,
            "url": url,
            "qr": delivery.qr_svg(url) if link.delivery == Delivery.SCREEN else "",
            "sent": sent,
        },
        # Created, and shown this once: a 201 rather than a redirect, as the secret is kept
        # nowhere to show on another page.
        status=201,
    )
    response["Cache-Control"] = "no-store"
    return response


@requires("assessment.run")
@require_POST
def revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = ClientLink.objects.filter(pk=link_id).first()
    if link is None:
        raise Http404
    services.revoke_link(by=request.user, organisation=request.organisation, link=link)
    messages.success(request, _("The link no longer works."))
    return redirect("people:detail", person_id=link.person_id)


# --- The client's side ---------------------------------------------------------------------


def _limit_key(request: HttpRequest) -> str:
    return f"client-link:{client_ip(request) or 'unknown'}"


def _refused(request: HttpRequest, *, status: int, language: str | None = None) -> HttpResponse:
    count_failure(_limit_key(request), window_seconds=settings.CLIENT_LINK_WINDOW_SECONDS)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        return _client_page(
            request,
            "selfservice/client_closed.html",
            {"gone": status == 410},
            language=language,
            status=status,
        )


def _client_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    status: int = 200,
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "page_language": language, "page_direction": direction(language)},
            status=status,
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@never_cache
def client(request: HttpRequest, secret: str) -> HttpResponse:
    if not attempts_left(
        _limit_key(request),
        limit=settings.CLIENT_LINK_FAILURE_LIMIT,
        window_seconds=settings.CLIENT_LINK_WINDOW_SECONDS,
    ):
        response = render(
            request,
            "accounts/rate_limited.html",
            {"minutes": max(1, settings.CLIENT_LINK_WINDOW_SECONDS // 60)},
            status=429,
        )
        response["Retry-After"] = str(settings.CLIENT_LINK_WINDOW_SECONDS)
        return response
    link = link_for_secret(secret)
    if link is None:
        return _refused(request, status=404)
    with organisation_scope(organisation_id=link.organisation_id):
        return _client_in_scope(request, link)


def _client_in_scope(request: HttpRequest, link: ClientLink) -> HttpResponse:
    organisation = link.organisation
    try:
        services.note_opened(organisation=organisation, link=link)
    except services.LinkClosed as closed:
        record(
            actor=None,
            organisation=organisation,
            action="selfservice.link_refused",
            target=link,
            extra={"reason": closed.reason},
        )
        return _refused(request, status=410, language=link.language)
    if link.is_submitted:
        if request.method == "POST":
            record(
                actor=None,
                organisation=organisation,
                action="selfservice.link_refused",
                target=link,
                extra={"reason": "used"},
            )
            return _journey(request, link, refused=True)
        return _journey(request, link)
    instrument = instrument_of(link.instrument_version)
    language = link.language
    with translation.override(language):
        forms = answer_forms(
            instrument, language, request.POST if request.method == "POST" else None
        )
        if request.method == "POST" and all(form.is_valid() for form in forms):
            try:
                services.submit_answers(
                    organisation=organisation,
                    link=link,
                    answers={form.domain.id: form.answers() for form in forms},
                )
            except services.LinkClosed:
                return _journey(request, link, refused=True)
            except ValidationError as error:
                attach_service_errors(forms[0], error)
            else:
                link.refresh_from_db()
                return _journey(request, link, just_sent=True)
        parts = [
            {
                "title": in_language(form.domain.title, language),
                "lang": language_of(form.domain.title, language),
                "dir": direction(language_of(form.domain.title, language)),
                "questions": questions_of(form, form.domain, language),
                "form": form,
            }
            for form in forms
        ]
    return _client_page(
        request,
        "selfservice/client_questions.html",
        {
            "link": link,
            "organisation": organisation,
            "title": in_language(instrument.title, language),
            "parts": parts,
            "errors": [form for form in forms if form.errors],
        },
        language=language,
    )


def _journey(
    request: HttpRequest, link: ClientLink, *, refused: bool = False, just_sent: bool = False
) -> HttpResponse:
    """The client's own journey (completed check-ins only: their new answers count once
    reviewed with their caseworker), in the link's language."""
    person = Person.objects.get(pk=link.person_id)
    found = read_journeys(person)
    record(
        actor=None,
        organisation=link.organisation,
        action="selfservice.journey_viewed",
        target=link,
    )
    return _client_page(
        request,
        "selfservice/client_journey.html",
        {
            "link": link,
            "organisation": link.organisation,
            "refused": refused,
            "just_sent": just_sent,
            **reflection_context(found, link.language),
        },
        language=link.language,
        status=409 if refused else 200,
    )
