"""Assessment pages: start, answer one domain a page, review, complete, and see the result."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pathmark.core.forms import attach_service_errors
from pathmark.instruments.definition import Domain, Instrument
from pathmark.organisations.permissions import requires, role_may
from pathmark.people.lookups import person_or_404
from pathmark.people.models import Person

from . import selectors, services
from .forms import (
    CompleteForm,
    DomainAnswersForm,
    StartAssessmentForm,
    answered_parts,
    initial_answers,
    questions_of,
)
from .hooks import next_steps_for
from .models import Assessment, AssessmentStatus, DiscardReason, SetAsideReason
from .text import direction, in_language, language_of


def _assessment_or_404(
    request: HttpRequest,
    assessment_id: int,
    *,
    action: str = "assessment.viewed",
    for_writing: bool = False,
) -> Assessment:
    try:
        return selectors.assessment_for(
            actor=request.user,
            organisation=request.organisation,
            assessment_id=assessment_id,
            action=action,
            for_writing=for_writing,
        )
    except Assessment.DoesNotExist:
        raise Http404 from None


def _draft_or_404(request: HttpRequest, assessment_id: int) -> Assessment:
    """A draft this organisation started, for the pages that change it."""
    return _assessment_or_404(
        request, assessment_id, action="assessment.viewed_for_edit", for_writing=True
    )


def _frozen(request: HttpRequest, person: Person) -> HttpResponse | None:
    """A restricted record takes no new or changed answers: say so before the caseworker
    spends ten minutes on a form that the service would refuse on submit."""
    if person.status == Person.Status.ACTIVE:
        return None
    messages.warning(
        request,
        _(
            "Processing of this person's data is restricted, so no assessment can be started "
            "or changed."
        ),
    )
    return redirect("people:detail", person_id=person.pk)


@requires("assessment.run")
def start(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request, person_id, action="person.viewed_for_assessment")
    if (refused := _frozen(request, person)) is not None:
        return refused
    form = StartAssessmentForm(
        request.POST or None,
        person_language=person.preferred_language,
        born=person.date_of_birth,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.start_assessment(
                by=request.user,
                organisation=request.organisation,
                person=person,
                instrument_slug=data["instrument"],
                mode=data["mode"],
                language=data["language"],
                assessed_on=data["assessed_on"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return redirect("assessments:domain", assessment_id=assessment.pk, number=1)
    return render(request, "assessments/start.html", {"form": form, "person": person})


def _domain_number(instrument: Instrument, number: int) -> Domain:
    if not 1 <= number <= len(instrument.domains):
        raise Http404
    return instrument.domains[number - 1]


@requires("assessment.run")
def domain(request: HttpRequest, assessment_id: int, number: int) -> HttpResponse:
    assessment = _draft_or_404(request, assessment_id)
    if not assessment.is_draft:
        return redirect("assessments:result", assessment_id=assessment.pk)
    if (refused := _frozen(request, assessment.person)) is not None:
        return refused
    instrument = selectors.instrument_of(assessment.instrument_version)
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
            services.save_answers(
                by=request.user,
                organisation=request.organisation,
                assessment=assessment,
                domain_id=current.id,
                answers=form.answers(),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return _after_saving(assessment, number, len(instrument.domains), request.POST)
    title_language = language_of(current.title, assessment.language)
    return render(
        request,
        "assessments/domain.html",
        {
            "assessment": assessment,
            "instrument_title": in_language(instrument.title, assessment.language),
            "domain_title": in_language(current.title, assessment.language),
            "domain_lang": title_language,
            "domain_dir": direction(title_language),
            "form": form,
            "questions": questions_of(form, current, assessment.language),
            "steps": selectors.steps_of(assessment),
            "current": number,
            "is_last": number == len(instrument.domains),
        },
    )


def _after_saving(assessment: Assessment, number: int, parts: int, posted: Any) -> HttpResponse:
    """Where the caseworker asked to go once the part they were on was saved: the next or
    the previous part, any part of the step list (each is a submit button of the answers'
    form, so moving between parts never throws answers away), or the review."""
    go = posted.get("go", "next")
    if go == "back":
        if number == 1:
            return redirect("people:detail", person_id=assessment.person_id)
        return redirect("assessments:domain", assessment_id=assessment.pk, number=number - 1)
    if go.startswith("part-") and go[5:].isdigit() and 1 <= int(go[5:]) <= parts:
        return redirect("assessments:domain", assessment_id=assessment.pk, number=int(go[5:]))
    if go == "next" and number < parts:
        return redirect("assessments:domain", assessment_id=assessment.pk, number=number + 1)
    return redirect("assessments:review", assessment_id=assessment.pk)


def _unanswered(assessment: Assessment, instrument: Instrument) -> list[dict[str, Any]]:
    groups = []
    for number, each in enumerate(instrument.domains, start=1):
        missing = [item for item in each.items if item.id not in assessment.answers]
        if missing:
            groups.append(
                {
                    "number": number,
                    "title": in_language(each.title, assessment.language),
                    "lang": language_of(each.title, assessment.language),
                    "dir": direction(language_of(each.title, assessment.language)),
                    "items": [
                        {
                            "text": in_language(item.text, assessment.language),
                            "lang": language_of(item.text, assessment.language),
                            "dir": direction(language_of(item.text, assessment.language)),
                        }
                        for item in missing
                    ],
                }
            )
    return groups


@requires("assessment.run")
def review(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _draft_or_404(request, assessment_id)
    if not assessment.is_draft:
        return redirect("assessments:result", assessment_id=assessment.pk)
    instrument = selectors.instrument_of(assessment.instrument_version)
    form = CompleteForm(
        request.POST or None, initial={"instrument_version": assessment.instrument_version_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviewed = form.reviewed_version()
            services.complete_assessment(
                by=request.user,
                organisation=request.organisation,
                assessment=assessment,
                instrument_version=reviewed,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Assessment completed."))
            return redirect("assessments:result", assessment_id=assessment.pk)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "instrument_title": in_language(instrument.title, assessment.language),
            "form": form,
            "steps": selectors.steps_of(assessment),
            "unanswered": _unanswered(assessment, instrument),
            "answered": answered_parts(instrument, assessment.answers, assessment.language),
            "continue_url": selectors.resume_url(assessment),
        },
    )


class DiscardForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is the draft discarded?"),
        choices=DiscardReason.choices,
        widget=forms.RadioSelect,
    )


@requires("assessment.run")
def discard(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Asks first (what will be lost, and why), then deletes the draft on POST."""
    assessment = _draft_or_404(request, assessment_id)
    if not assessment.is_draft:
        return redirect("assessments:result", assessment_id=assessment.pk)
    form = DiscardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discard_draft(
                by=request.user,
                organisation=request.organisation,
                assessment=assessment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Draft discarded."))
            return redirect("people:detail", person_id=assessment.person_id)
    steps = selectors.steps_of(assessment)
    return render(
        request,
        "assessments/discard.html",
        {
            "assessment": assessment,
            "form": form,
            "answered": sum(step.answered for step in steps),
            "instrument_title": in_language(
                selectors.instrument_of(assessment.instrument_version).title, assessment.language
            ),
        },
    )


@requires("person.view")
def result(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_or_404(request, assessment_id)
    if assessment.is_draft:
        if assessment.organisation_id != request.organisation.pk:
            raise Http404
        return redirect("assessments:review", assessment_id=assessment.pk)
    instrument = selectors.instrument_of(assessment.instrument_version)
    return render(
        request,
        "assessments/result.html",
        {
            "assessment": assessment,
            "result": selectors.result_of(assessment),
            # Links that apps above assessments add (a plan drafted from it, say).
            "next_steps": next_steps_for(assessment=assessment, request=request),
            # The answers stay with the organisation that ran it and the person's own record.
            "answered": answered_parts(instrument, assessment.answers, assessment.language)
            if assessment.organisation_id == request.organisation.pk and assessment.answers
            else [],
            "set_aside_form": SetAsideForm() if _may_set_aside(request, assessment) else None,
            "may_lift_dispute": _may_lift_dispute(request, assessment),
            "set_aside_verb": _("Withdraw")
            if assessment.organisation_id == request.organisation.pk
            else _("Dispute"),
        },
    )


class SetAsideForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why?"), choices=SetAsideReason.choices, widget=forms.RadioSelect
    )


def _may_set_aside(request: HttpRequest, assessment: Assessment) -> bool:
    """Whether the result page offers to withdraw (the recorder) or dispute (the person's
    organisation) it; `services.set_aside_assessment` decides again."""
    if not role_may(request.membership.role, "assessment.run"):  # type: ignore[attr-defined]
        return False
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    if assessment.organisation_id == organisation_id:
        return assessment.status != AssessmentStatus.WITHDRAWN
    return (
        assessment.person.organisation_id == organisation_id
        and assessment.status == AssessmentStatus.COMPLETED
    )


def _may_lift_dispute(request: HttpRequest, assessment: Assessment) -> bool:
    organisation_id = request.organisation.pk  # type: ignore[attr-defined]
    return (
        role_may(request.membership.role, "assessment.run")  # type: ignore[attr-defined]
        and assessment.status == AssessmentStatus.DISPUTED
        and assessment.person.organisation_id == organisation_id
        and assessment.organisation_id != organisation_id
    )


@require_POST
@requires("assessment.run")
def lift_dispute(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The person's organisation takes back its dispute: the assessment counts again."""
    assessment = _assessment_or_404(request, assessment_id, action="assessment.viewed_for_edit")
    try:
        services.lift_dispute(
            by=request.user, organisation=request.organisation, assessment=assessment
        )
    except Assessment.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dispute taken back: it counts in the person's journey again."))
    return redirect("assessments:result", assessment_id=assessment.pk)


@require_POST
@requires("assessment.run")
def set_aside(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Withdraws (the organisation that recorded it) or disputes (the person's organisation)
    a completed assessment: it stays on the record but leaves the journey."""
    assessment = _assessment_or_404(request, assessment_id, action="assessment.viewed_for_edit")
    form = SetAsideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the assessment is set aside."))
        return redirect("assessments:result", assessment_id=assessment.pk)
    try:
        changed = services.set_aside_assessment(
            by=request.user,
            organisation=request.organisation,
            assessment=assessment,
            reason=form.cleaned_data["reason"],
        )
    except Assessment.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Withdrawn: it no longer counts in the person's journey.")
            if changed.status == AssessmentStatus.WITHDRAWN
            else _("Disputed: it no longer counts in the person's journey."),
        )
    return redirect("assessments:result", assessment_id=assessment.pk)
