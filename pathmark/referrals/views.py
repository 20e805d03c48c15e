"""Referral pages: where best to refer a person, the referral itself (both sides), the
provider's inbox and the sender's list. Thin: reads in selectors, writes in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pathmark.assessments.text import in_language
from pathmark.audit.services import record
from pathmark.core.forms import attach_service_errors
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.permissions import requires, role_may
from pathmark.people.lookups import person_or_404
from pathmark.plans import selectors as plan_selectors
from pathmark.plans.models import Action, ActionKind

from . import explaining, selectors, services, states
from .forms import AnswerForm, RatingForm, ReferForm, SendForm
from .matching import match
from .models import Referral, Status


def _domain_titles(instrument: str | None) -> Any:
    if not instrument:
        return str
    try:
        titles = {
            domain.id: in_language(domain.title) for domain in get_instrument(instrument).domains
        }
    except LookupError:
        return str
    return lambda domain: titles.get(domain, domain)


def _referral_or_404(request: HttpRequest, referral_id: int) -> Referral:
    try:
        return selectors.referral_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            referral_id=referral_id,
        )
    except Referral.DoesNotExist:
        raise Http404 from None


@requires("referral.send")
def where_to_refer(request: HttpRequest, person_id: int) -> HttpResponse:
    """The services that may take the person, best first, each saying why; a referral is
    sent from here with the person's consent to share."""
    person = person_or_404(request, person_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    if not services.may_refer(person, organisation):
        raise Http404
    goal_domains = [d for d in request.GET.getlist("domain") if d][:5]
    found = match(person, goal_domains=goal_domains)
    record(
        actor=request.user,
        organisation=organisation,
        action="referral.viewed_suggestions",
        target=person,
        extra={"suggested": len(found.ranking.suggestions)},
    )
    form = ReferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = found.services.get(data["service"])
        if service is None:
            form.add_error(None, _("Choose one of the services listed."))
        else:
            try:
                referral = services.draft_referral(
                    by=request.user,
                    organisation=organisation,
                    person=person,
                    service=service,
                    consent=services.ReferralConsent(
                        given_on=data["consent_given_on"],
                        method=data["consent_method"],
                        covers_assessments=data["consent_covers_assessments"],
                    ),
                    note=data["note"],
                    instrument=found.instrument or "",
                    domain=goal_domains[0] if goal_domains else "",
                    send=True,
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("Referral sent."))
                return redirect("referrals:detail", referral_id=referral.pk)
    titles = _domain_titles(found.instrument)
    suggestions = [
        {
            "service": found.services[suggestion.service.id],
            "score": suggestion.score,
            "why": explaining.sentence(suggestion.reasons, domain_title=titles),
        }
        for suggestion in found.ranking.suggestions
    ]
    excluded = [
        {
            "service": found.services[left_out.service.id],
            "why": explaining.sentence(left_out.reasons, domain_title=titles),
        }
        for left_out in found.ranking.excluded
    ]
    return render(
        request,
        "referrals/where_to_refer.html",
        {
            "person": person,
            "suggestions": suggestions,
            "excluded": excluded,
            "form": form,
            "goal_titles": [titles(domain) for domain in goal_domains],
        },
    )


@requires("referral.send")
def from_plan_action(request: HttpRequest, action_id: int) -> HttpResponse:
    """Sends the referral a plan action names, to the action's service, with the person's
    consent to share; the referral stays linked to the action so the plan shows its state."""
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        action = plan_selectors.action_for(
            actor=request.user, organisation=organisation, action_id=action_id
        )
    except Action.DoesNotExist:
        raise Http404 from None
    plan = action.goal.plan
    person = plan.person
    if action.kind != ActionKind.REFERRAL or action.service is None:
        raise Http404
    if not services.may_refer(person, organisation):
        raise Http404
    current = selectors.open_referral_for_action(action)
    if current is not None:
        messages.info(request, _("A referral for this action is already on its way."))
        return redirect("referrals:detail", referral_id=current.pk)
    form = SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.draft_referral(
                by=request.user,
                organisation=organisation,
                person=person,
                service=action.service,
                consent=services.ReferralConsent(
                    given_on=data["consent_given_on"],
                    method=data["consent_method"],
                    covers_assessments=data["consent_covers_assessments"],
                ),
                note=data["note"],
                instrument=action.goal.instrument_slug,
                domain=action.goal.domain_id,
                send=True,
                plan_action=action,
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Referral sent."))
            return redirect("plans:detail", plan_id=plan.pk)
    titles = _domain_titles(action.goal.instrument_slug)
    return render(
        request,
        "referrals/from_plan_action.html",
        {
            "action": action,
            "plan": plan,
            "person": person,
            "service": action.service,
            "goal_title": titles(action.goal.domain_id),
            "form": form,
        },
    )


@requires("referral.view")
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    side = services.side_of(referral, organisation)
    role = request.membership.role  # type: ignore[attr-defined]
    may_act = role_may(role, "referral.send" if side == states.SENDER else "referral.receive")
    moves = (
        [(new, Status(new).label) for new in states.next_states(referral.status, side or "")]
        if may_act
        else []
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "side": side,
            "events": selectors.events_of(referral),
            "moves": moves,
            "answer_form": AnswerForm(),
            "rating_form": RatingForm(),
            "may_rate": side == states.SENDER
            and may_act
            and referral.status in states.ATTENDED | {states.DID_NOT_ATTEND},
            "overdue": selectors.is_overdue(referral),
            "shows_assessments": side == states.RECEIVER and referral.consent_covers_assessments,
        },
    )


@requires("referral.view")
def change(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Moves the referral on (POST only): accept, decline with a reason, start, close, or
    withdraw, as the side the organisation is on allows."""
    if request.method != "POST":
        return HttpResponse(status=405)
    referral = _referral_or_404(request, referral_id)
    organisation = request.organisation  # type: ignore[attr-defined]
    side = services.side_of(referral, organisation)
    role = request.membership.role  # type: ignore[attr-defined]
    if side is None or not role_may(
        role, "referral.send" if side == states.SENDER else "referral.receive"
    ):
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_status(
                by=request.user,
                organisation=organisation,
                referral=referral,
                new=data["status"],
                reason=data["reason"] if data["status"] == states.DECLINED else "",
                note=data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Saved: the referral is now %(status)s.")
                % {"status": Status(data["status"]).label.lower()},
            )
    else:
        messages.error(request, _("Choose what to do with the referral."))
    # A closed referral leaves the receiving side's view with the person.
    if side == states.RECEIVER and not Referral.objects.filter(pk=referral_id).exists():
        return redirect("referrals:inbox")
    return redirect("referrals:detail", referral_id=referral_id)


@requires("referral.send")
def rate(request: HttpRequest, referral_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    referral = _referral_or_404(request, referral_id)
    if services.side_of(referral, request.organisation) != states.SENDER:  # type: ignore[attr-defined]
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.record_rating(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                referral=referral,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The person's rating is recorded."))
    else:
        messages.error(request, _("Choose a rating from 1 to 5."))
    return redirect("referrals:detail", referral_id=referral.pk)


@requires("referral.receive")
def inbox(request: HttpRequest) -> HttpResponse:
    listed = selectors.inbox(actor=request.user, organisation=request.organisation)  # type: ignore[attr-defined]
    return render(request, "referrals/inbox.html", {"listed": listed})


@requires("referral.send")
def sent(request: HttpRequest) -> HttpResponse:
    listed = selectors.sent_by(actor=request.user, organisation=request.organisation)  # type: ignore[attr-defined]
    return render(
        request,
        "referrals/sent.html",
        {"listed": listed, "overdue": sum(1 for item in listed if item.overdue)},
    )
