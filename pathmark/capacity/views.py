"""Capacity pages: an organisation's own self-assessments (start, one area a page, review,
complete, result, history) and the partnership host's view of which organisations need
which support."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pathmark.assessments.forms import (
    CompleteForm,
    DomainAnswersForm,
    answered_parts,
    initial_answers,
    questions_of,
)
from pathmark.assessments.text import direction, in_language, language_of
from pathmark.core.forms import attach_service_errors
from pathmark.instruments.definition import Domain, Instrument
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.permissions import requires

from . import selectors, services
from .forms import StartCapacityForm, SupportFilterForm
from .models import CapacityAssessment


def _role(request: HttpRequest) -> str | None:
    membership = getattr(request, "membership", None)
    return membership.role if membership is not None else None


def _assessment_or_404(
    request: HttpRequest, capacity_id: int, *, for_writing: bool = False
) -> CapacityAssessment:
    try:
        return selectors.capacity_assessment_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            role=_role(request),
            assessment_id=capacity_id,
            for_writing=for_writing,
        )
    except CapacityAssessment.DoesNotExist:
        raise Http404 from None


@requires("capacity.assess")
def index(request: HttpRequest) -> HttpResponse:
    """The organisation's own self-assessments, and a form to start one."""
    instrument = get_instrument(services.DEFAULT_INSTRUMENT)
    form = StartCapacityForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start_capacity_assessment(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                language=form.cleaned_data["language"],
                assessed_on=form.cleaned_data["assessed_on"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return redirect("capacity:area", capacity_id=assessment.pk, number=1)
    return render(
        request,
        "capacity/index.html",
        {
            "form": form,
            "history": selectors.history_of(organisation=request.organisation),  # type: ignore[attr-defined]
            "instrument_title": in_language(instrument.title),
            "instrument_description": in_language(instrument.description),
            "may_support": selectors.may_support(request.organisation, _role(request)),  # type: ignore[attr-defined]
        },
    )


def _domain_number(instrument: Instrument, number: int) -> Domain:
    if not 1 <= number <= len(instrument.domains):
        raise Http404
    return instrument.domains[number - 1]


def _steps(assessment: CapacityAssessment) -> list[dict[str, Any]]:
    instrument = assessment.instrument_version.instrument
    language = assessment.language
    return [
        {
            "number": number,
            "title": in_language(domain.title, language),
            "lang": language_of(domain.title, language),
            "dir": direction(language_of(domain.title, language)),
            "answered": sum(1 for item in domain.items if item.id in assessment.answers),
            "total": len(domain.items),
        }
        for number, domain in enumerate(instrument.domains, start=1)
    ]


@requires("capacity.assess")
def area(request: HttpRequest, capacity_id: int, number: int) -> HttpResponse:
    """One area of a draft: its statements, each rated on the maturity scale."""
    assessment = _assessment_or_404(request, capacity_id, for_writing=True)
    if not assessment.is_draft:
        return redirect("capacity:result", capacity_id=assessment.pk)
    instrument = assessment.instrument_version.instrument
    current = _domain_number(instrument, number)
    form = DomainAnswersForm(
        request.POST or None,
        initial=initial_answers(current, assessment.answers),
        instrument=instrument,
        domain=current,
        language=assessment.language,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_capacity_answers(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                assessment=assessment,
                domain_id=current.id,
                answers=form.answers(),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            go = request.POST.get("go", "next")
            if go == "back":
                if number == 1:
                    return redirect("capacity:index")
                return redirect("capacity:area", capacity_id=assessment.pk, number=number - 1)
            if go.startswith("part-") and go[5:].isdigit():
                part = int(go[5:])
                if 1 <= part <= len(instrument.domains):
                    return redirect("capacity:area", capacity_id=assessment.pk, number=part)
            if go == "next" and number < len(instrument.domains):
                return redirect("capacity:area", capacity_id=assessment.pk, number=number + 1)
            return redirect("capacity:review", capacity_id=assessment.pk)
    title_language = language_of(current.title, assessment.language)
    return render(
        request,
        "capacity/area.html",
        {
            "assessment": assessment,
            "instrument_title": in_language(instrument.title, assessment.language),
            "domain_title": in_language(current.title, assessment.language),
            "domain_description": in_language(current.description, assessment.language),
            "domain_lang": title_language,
            "domain_dir": direction(title_language),
            "form": form,
            "questions": questions_of(form, current, assessment.language),
            "steps": _steps(assessment),
            "current": number,
            "is_last": number == len(instrument.domains),
        },
    )


@requires("capacity.assess")
def review(request: HttpRequest, capacity_id: int) -> HttpResponse:
    """Check the answers, then complete (scored, no longer changeable)."""
    assessment = _assessment_or_404(request, capacity_id, for_writing=True)
    if not assessment.is_draft:
        return redirect("capacity:result", capacity_id=assessment.pk)
    form = CompleteForm(
        request.POST or None, initial={"instrument_version": assessment.instrument_version_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviewed = form.reviewed_version()
            services.complete_capacity_assessment(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                assessment=assessment,
                instrument_version=reviewed,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Self-assessment completed."))
            return redirect("capacity:result", capacity_id=assessment.pk)
    return render(
        request,
        "capacity/review.html",
        {
            "assessment": assessment,
            "instrument_title": in_language(
                assessment.instrument_version.instrument.title, assessment.language
            ),
            "form": form,
            "steps": _steps(assessment),
            "answered": answered_parts(
                assessment.instrument_version.instrument, assessment.answers, assessment.language
            ),
        },
    )


@requires("capacity.assess")
def discard(request: HttpRequest, capacity_id: int) -> HttpResponse:
    """Asks first, then deletes the draft on POST."""
    assessment = _assessment_or_404(request, capacity_id, for_writing=True)
    if not assessment.is_draft:
        return redirect("capacity:result", capacity_id=assessment.pk)
    if request.method == "POST":
        try:
            services.discard_capacity_draft(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                assessment=assessment,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("capacity:review", capacity_id=assessment.pk)
        messages.success(request, _("Draft discarded."))
        return redirect("capacity:index")
    return render(
        request,
        "capacity/discard.html",
        {"assessment": assessment, "answered": len(assessment.answers)},
    )


@require_GET
@requires("capacity.assess")
def result(request: HttpRequest, capacity_id: int) -> HttpResponse:
    """A completed self-assessment: each area's score and the support it needs."""
    assessment = _assessment_or_404(request, capacity_id)
    if assessment.is_draft:
        return redirect("capacity:review", capacity_id=assessment.pk)
    own = assessment.organisation_id == request.organisation.pk  # type: ignore[attr-defined]
    return render(
        request,
        "capacity/result.html",
        {
            "assessment": assessment,
            "result": selectors.result_of(assessment),
            "own": own,
            "answered": answered_parts(
                assessment.instrument_version.instrument, assessment.answers, assessment.language
            ),
        },
    )


@require_GET
@requires("capacity.support")
def partnership(request: HttpRequest) -> HttpResponse:
    """For the partnership host: the latest self-assessment of each organisation, by area and
    the support it needs, with filters. Never part of reports or funding decisions."""
    instrument = get_instrument(services.DEFAULT_INSTRUMENT)
    form = SupportFilterForm(
        request.GET or None,
        areas=[(d.id, in_language(d.title)) for d in instrument.domains],
        stages=[(s.id, in_language(s.label)) for s in instrument.stages],
    )
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        needs = selectors.support_needs(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            role=_role(request),
            kind=filters.get("kind", ""),
            domain=filters.get("domain", ""),
            stage=filters.get("stage", ""),
        )
    except selectors.NotHost:
        raise Http404 from None
    return render(request, "capacity/partnership.html", {"form": form, "needs": needs})
