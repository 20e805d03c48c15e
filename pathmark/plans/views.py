"""Plan pages: draft from an assessment, the plan, editing goals and actions, the client's
agreement, reviews, closing, the history, and the printable plan in the client's language.

Every change posts the plan version its form was drawn from; when someone else changed the
plan meanwhile, the page says so, lists their changes, and keeps the caseworker's own input in
the form to check and save again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import assessment_for
from pathmark.core.forms import attach_service_errors
from pathmark.core.languages import site_language
from pathmark.organisations.permissions import requires
from pathmark.people.models import Person

from . import hooks, presentation, selectors, services
from .forms import (
    ActionForm,
    AddGoalForm,
    AgreementForm,
    ChangeActionForm,
    GoalForm,
    ReviewForm,
    VersionedForm,
)
from .models import Action, ActionKind, Goal, Plan


def _plan_or_404(
    request: HttpRequest, plan_id: int, *, action: str = "plan.viewed", for_writing: bool = False
) -> Plan:
    try:
        return selectors.plan_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            plan_id=plan_id,
            action=action,
            for_writing=for_writing,
        )
    except Plan.DoesNotExist:
        raise Http404 from None


def _editable_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = _plan_or_404(request, plan_id, action="plan.viewed_for_edit", for_writing=True)
    if not plan.is_open or plan.person.status != Person.Status.ACTIVE:
        raise Http404
    return plan


def _goal_or_404(request: HttpRequest, goal_id: int) -> Goal:
    try:
        goal = selectors.goal_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            goal_id=goal_id,
        )
    except (Goal.DoesNotExist, Plan.DoesNotExist):
        raise Http404 from None
    if not goal.plan.is_open:
        raise Http404
    return goal


def _action_or_404(request: HttpRequest, action_id: int) -> Action:
    try:
        found = selectors.action_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_id=action_id,
        )
    except (Action.DoesNotExist, Plan.DoesNotExist):
        raise Http404 from None
    if not found.goal.plan.is_open:
        raise Http404
    return found


def _posted_version(request: HttpRequest) -> int:
    """The plan version a remove button posted; 0 (never a version) when it is not one, so
    the service answers as for a stale copy."""
    form = VersionedForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else 0


def _save(
    request: HttpRequest,
    form: forms.Form,
    plan: Plan,
    write: Callable[[dict[str, Any]], Any],
    *,
    make_form: Callable[[Any], forms.Form],
) -> tuple[HttpResponse | None, forms.Form, list[Any]]:
    """Runs `write` with the form's data. On success, back to the plan. When the plan moved
    on, the form comes back holding the caseworker's input at the new version, with the
    changes they have not seen."""
    if request.method != "POST" or not form.is_valid():
        return None, form, []
    try:
        write(form.cleaned_data)
    except services.StalePlan as stale:
        data = request.POST.copy()
        data["version"] = str(stale.plan.version)
        refreshed = make_form(data)
        refreshed.is_valid()
        return None, refreshed, presentation.change_rows(stale.changes)
    except ValidationError as error:
        attach_service_errors(form, error)
        return None, form, []
    messages.success(request, _("The plan is saved."))
    return redirect("plans:detail", plan_id=plan.pk), form, []


def _form_page(
    request: HttpRequest,
    *,
    plan: Plan,
    form: forms.Form,
    title: str,
    stale: list[Any],
    submit: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "plans/form.html",
        {
            "plan": plan,
            "person": plan.person,
            "form": form,
            "title": title,
            "stale": stale,
            "submit": submit,
            **(extra or {}),
        },
    )


# --- Drafting and reading --------------------------------------------------------------


@requires("plan.edit")
def draft(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """GET says what drafting will do; POST drafts the plan."""
    try:
        assessment = assessment_for(
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            assessment_id=assessment_id,
        )
    except Assessment.DoesNotExist:
        raise Http404 from None
    if assessment.status != AssessmentStatus.COMPLETED:
        raise Http404
    if request.method == "POST":
        try:
            plan = services.draft_plan(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                assessment=assessment,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("assessments:result", assessment_id=assessment.pk)
        messages.success(request, _("A draft plan is ready. Check it with the client."))
        return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request,
        "plans/draft.html",
        {"assessment": assessment, "person": assessment.person},
    )


@requires("person.view")
def detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    view = presentation.plan_view(plan, language=translation.get_language() or "en")
    statuses = hooks.statuses_for(actions=view.actions, request=request)
    goals = [
        (goal, [(action, statuses.get(action.pk)) for action in goal.actions])
        for goal in view.goals
    ]
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "person": plan.person,
            "view": view,
            "goals": goals,
            "can_edit": plan.organisation_id == request.organisation.pk  # type: ignore[attr-defined]
            and plan.is_open
            and plan.person.status == Person.Status.ACTIVE,
        },
    )


@requires("person.view")
def history(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id, action="plan.history_viewed")
    return render(
        request,
        "plans/history.html",
        {
            "plan": plan,
            "person": plan.person,
            "rows": presentation.change_rows(selectors.history_of(plan)),
        },
    )


@requires("person.view")
def printable(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan in plain words for the client to keep, in their language. Only the plan
    itself is in that language: the page around it stays in the caseworker's."""
    plan = _plan_or_404(request, plan_id, action="plan.printed")
    # As the journey summary: the language asked for, else the client's, else English.
    language = site_language(request.GET.get("language", ""), plan.person.preferred_language)
    with translation.override(language):
        view = presentation.plan_view(plan, language=language)
        body = render_to_string(
            "plans/_printable.html",
            {
                "plan": plan,
                "person": plan.person,
                "view": view,
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
            },
            request=request,
        )
    return render(
        request,
        "plans/print.html",
        {
            "plan": plan,
            "person": plan.person,
            "body": body,
            "print_language": language,
            "print_languages": settings.LANGUAGES,
        },
    )


# --- Changing ----------------------------------------------------------------------------


@requires("plan.edit")
def add_goal(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _editable_plan(request, plan_id)
    instrument = presentation.instrument_of_plan(plan)
    language = translation.get_language() or "en"

    def make(data: Any) -> forms.Form:
        return AddGoalForm(
            data,
            instrument=instrument,
            language=language,
            initial={"version": plan.version, "priority": plan.goals.count() + 1},
        )

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.add_goal(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            plan=plan,
            expected_version=data["version"],
            instrument_slug=instrument.slug,
            domain_id=data["domain_id"],
            priority=data["priority"],
            target_text=data["target_text"],
            target_score=data["target_score"],
            review_date=data["review_date"],
        ),
        make_form=make,
    )
    return response or _form_page(
        request, plan=plan, form=form, title=_("Add a goal"), stale=stale, submit=_("Add the goal")
    )


@requires("plan.edit")
def edit_goal(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal_or_404(request, goal_id)
    plan = goal.plan
    if request.method == "POST" and "remove" in request.POST:
        try:
            services.remove_goal(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                goal=goal,
                expected_version=_posted_version(request),
            )
        except services.StalePlan:
            messages.error(request, _("Someone changed the plan meanwhile: check it first."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("plans:detail", plan_id=plan.pk)

    def make(data: Any) -> forms.Form:
        return GoalForm(
            data,
            initial={
                "version": plan.version,
                "priority": goal.priority,
                "target_text": goal.target_text,
                "target_score": goal.target_score,
                "review_date": goal.review_date,
            },
        )

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.change_goal(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            goal=goal,
            expected_version=data["version"],
            priority=data["priority"],
            target_text=data["target_text"],
            target_score=data["target_score"],
            review_date=data["review_date"],
        ),
        make_form=make,
    )
    title = presentation.goal_title(goal, translation.get_language() or "en")
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Change the goal: %(goal)s") % {"goal": title},
        stale=stale,
        submit=_("Save the goal"),
        extra={"removable": True},
    )


@requires("plan.edit")
def add_action(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal_or_404(request, goal_id)
    plan = goal.plan
    choices = selectors.services_for_domain(goal.instrument_slug, goal.domain_id, limit=50)

    def make(data: Any) -> forms.Form:
        return ActionForm(data, services=choices, initial={"version": plan.version})

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.add_action(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            goal=goal,
            expected_version=data["version"],
            kind=data["kind"],
            text=data["text"],
            service=data["service"],
            due_date=data["due_date"],
        ),
        make_form=make,
    )
    title = presentation.goal_title(goal, translation.get_language() or "en")
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Add an action to: %(goal)s") % {"goal": title},
        stale=stale,
        submit=_("Add the action"),
    )


@requires("plan.edit")
def edit_action(request: HttpRequest, action_id: int) -> HttpResponse:
    found = _action_or_404(request, action_id)
    plan = found.goal.plan
    if request.method == "POST" and "remove" in request.POST:
        try:
            services.remove_action(
                by=request.user,
                organisation=request.organisation,  # type: ignore[attr-defined]
                action=found,
                expected_version=_posted_version(request),
            )
        except services.StalePlan:
            messages.error(request, _("Someone changed the plan meanwhile: check it first."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("plans:detail", plan_id=plan.pk)
    choices = selectors.services_for_domain(
        found.goal.instrument_slug, found.goal.domain_id, limit=50
    )
    if found.service is not None and found.service not in choices:
        choices.append(found.service)

    def make(data: Any) -> forms.Form:
        return ChangeActionForm(
            data,
            services=choices,
            initial={
                "version": plan.version,
                "kind": found.kind,
                "text": found.text,
                "service": found.service_id,
                "due_date": found.due_date,
                "done": found.is_done,
            },
        )

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.change_action(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            action=found,
            expected_version=data["version"],
            kind=data["kind"],
            text=data["text"],
            service=data["service"],
            due_date=data["due_date"],
            done=data["done"],
        ),
        make_form=make,
    )
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Change an action"),
        stale=stale,
        submit=_("Save the action"),
        extra={"removable": True},
    )


@requires("plan.edit")
def agree(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _editable_plan(request, plan_id)

    def make(data: Any) -> forms.Form:
        return AgreementForm(data, initial={"version": plan.version})

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.record_agreement(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            plan=plan,
            expected_version=data["version"],
            agreed_on=data["agreed_on"],
            method=data["method"],
            agreed_by=data["agreed_by"],
        ),
        make_form=make,
    )
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Record the client's agreement"),
        stale=stale,
        submit=_("Record the agreement"),
        extra={
            "explain": _("The client agrees to the plan as it stands now, version %(v)s.")
            % {"v": plan.version}
        },
    )


@requires("plan.edit")
def review(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _editable_plan(request, plan_id)
    assessments = Assessment.objects.filter(
        person=plan.person, status=AssessmentStatus.COMPLETED
    ).order_by("-assessed_on", "-pk")

    def make(data: Any) -> forms.Form:
        return ReviewForm(data, assessments=assessments, initial={"version": plan.version})

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.record_review(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            plan=plan,
            expected_version=data["version"],
            reviewed_on=data["reviewed_on"],
            progress_notes=data["progress_notes"],
            next_assessment=data["next_assessment"],
        ),
        make_form=make,
    )
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Review the plan"),
        stale=stale,
        submit=_("Record the review"),
        extra={"outcomes": _referral_outcomes(plan, request)},
    )


def _referral_outcomes(plan: Plan, request: HttpRequest) -> list[tuple[Action, Any]]:
    """The plan's referral actions and where each referral stands (from the apps that send
    them, through `hooks.action_statuses`), for the review to weigh."""
    actions = list(
        Action.objects.filter(goal__plan=plan, kind=ActionKind.REFERRAL)
        .select_related("goal__plan", "service")
        .order_by("goal__priority", "order", "pk")
    )
    statuses = hooks.statuses_for(actions=actions, request=request)
    return [(action, statuses.get(action.pk)) for action in actions]


@requires("plan.edit")
def close(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _editable_plan(request, plan_id)

    def make(data: Any) -> forms.Form:
        return VersionedForm(data, initial={"version": plan.version})

    form = make(request.POST or None)
    response, form, stale = _save(
        request,
        form,
        plan,
        lambda data: services.close_plan(
            by=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            plan=plan,
            expected_version=data["version"],
        ),
        make_form=make,
    )
    return response or _form_page(
        request,
        plan=plan,
        form=form,
        title=_("Close the plan"),
        stale=stale,
        submit=_("Close the plan"),
        extra={"explain": _("A closed plan is kept, with its history, but no longer changes.")},
    )
