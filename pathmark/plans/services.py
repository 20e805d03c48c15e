"""Writing plans: drafting one from a completed assessment, changing its goals and actions,
recording the client's agreement, reviews, and closing it.

Every change after the draft names the version of the plan it was made on
(`expected_version`). The plan row is locked, the version compared and raised, and the change
kept as a `PlanChange` with the values before and after, in one transaction with the audit
entry. A caseworker working on an older copy gets `StalePlan` listing what changed since,
never a silent overwrite.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.audit.services import record
from pathmark.directory.models import Service
from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.organisations.scoping import checks_organisation
from pathmark.people.models import ConsentMethod, Person

from . import drafting, hooks, selectors
from .models import Action, ActionKind, Agreement, Goal, Plan, PlanChange, PlanStatus, Review


class StalePlan(Exception):
    """The plan changed after the version the caseworker was editing."""

    def __init__(self, plan: Plan, changes: list[PlanChange]) -> None:
        super().__init__(f"{plan} is at version {plan.version}")
        self.plan = plan
        self.changes = changes


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Model):
        return str(value)
    return str(value)


def _assign(instance: Model, values: dict[str, Any], *, record_name: str) -> list[dict[str, str]]:
    """Sets the fields that differ and returns what changed, in stored words (dates as ISO
    dates, services by name): `{"record", "field", "before", "after"}` each."""
    changes = []
    for name, value in values.items():
        before = getattr(instance, name)
        if before == value:
            continue
        setattr(instance, name, value)
        changes.append(
            {"record": record_name, "field": name, "before": _text(before), "after": _text(value)}
        )
    return changes


def _locked(plan_id: int, *, organisation: Any, expected_version: int | None) -> Plan:
    """The plan, locked for this change, if this organisation holds it, it is open, its
    person's data may be processed and nobody changed it since `expected_version`."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=plan_id, organisation=organisation)
    )
    if plan.person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so the plan cannot change.")
        )
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("This plan is closed and can no longer change."))
    if expected_version is not None and expected_version != plan.version:
        raise StalePlan(plan, selectors.changes_since(plan, expected_version))
    return plan


def _changed(
    plan: Plan,
    *,
    by: Any,
    kind: str,
    changes: list[dict[str, str]],
    action: str = "plan.changed",
    **plan_fields: Any,
) -> Plan:
    """Raises the version, keeps the change and audits it (the audit entry holds no text)."""
    plan.version += 1
    for name, value in plan_fields.items():
        setattr(plan, name, value)
    plan.save(update_fields=["version", "updated_at", *plan_fields])
    PlanChange.objects.create(
        plan=plan, version=plan.version, kind=kind, changes=changes, changed_by=by
    )
    record(
        actor=by,
        organisation=plan.organisation,
        action=action,
        target=plan,
        extra={"version": plan.version, "change": kind},
    )
    return plan


# --- Drafting ---------------------------------------------------------------------------


def _action_text(suggestion: drafting.SuggestedAction, domain: str) -> str:
    if suggestion.step is drafting.Step.REFER:
        return _("Refer to %(service)s") % {"service": suggestion.service_name}
    if suggestion.step is drafting.Step.FIND_SERVICE:
        return _("Find a service that helps with %(domain)s") % {"domain": domain}
    if suggestion.step is drafting.Step.CHECK_FALL:
        return _("Talk with the client about what changed in %(domain)s since last time") % {
            "domain": domain
        }
    return _("Choose one small step for %(domain)s and try it every week") % {"domain": domain}


@checks_organisation
@transaction.atomic
def draft_plan(
    *, by: Any, organisation: Any, assessment: Assessment, on: date | None = None
) -> Plan:
    """A draft plan from a completed assessment: one goal per priority domain (see
    `drafting`), each with a target, a review date and suggested actions."""
    if assessment.status != AssessmentStatus.COMPLETED:
        raise ValidationError(_("Only a completed assessment can start a plan."))
    person = Person.objects.select_for_update().get(pk=assessment.person_id)
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so no plan can be drafted.")
        )
    on = on or timezone.localdate()
    found = selectors.standings_of(assessment)
    slug = found.instrument.slug
    options: dict[str, list[drafting.ServiceOption]] = {}
    for standing in drafting.priorities(found.domains):
        ranked = hooks.ranked_services(
            person=person,
            instrument_slug=slug,
            domain_id=standing.domain_id,
            services=selectors.services_for_domain(slug, standing.domain_id),
        )
        options[standing.domain_id] = [drafting.ServiceOption(s.pk, s.name) for s in ranked]
    goals = drafting.draft_goals(found.domains, on=on, services=options)
    plan = Plan.objects.create(
        person=person, organisation=organisation, assessment=assessment, created_by=by
    )
    language = translation.get_language() or "en"
    for drafted in goals:
        goal = Goal.objects.create(
            plan=plan,
            instrument_slug=slug,
            domain_id=drafted.domain_id,
            priority=drafted.priority,
            baseline_score=drafted.baseline_score,
            target_score=drafted.target_score,
            review_date=drafted.review_on,
        )
        title = selectors.domain_title(slug, drafted.domain_id, language)
        for order, suggestion in enumerate(drafted.actions, 1):
            Action.objects.create(
                goal=goal,
                kind=suggestion.kind.value,
                text=_action_text(suggestion, title),
                service_id=suggestion.service_id,
                due_date=suggestion.due_on,
                order=order,
            )
    PlanChange.objects.create(
        plan=plan,
        version=plan.version,
        kind="drafted",
        changes=[{"record": "plan", "field": "goals", "before": "", "after": str(len(goals))}],
        changed_by=by,
    )
    record(
        actor=by,
        organisation=organisation,
        action="plan.drafted",
        target=plan,
        extra={"assessment": assessment.pk, "goals": len(goals)},
    )
    return plan


# --- Goals ------------------------------------------------------------------------------


def _goal_values(
    *,
    priority: int,
    target_text: str,
    target_score: float | None,
    review_date: date,
) -> dict[str, Any]:
    if target_score is not None and not 0 <= target_score <= 100:
        raise ValidationError({"target_score": _("A target score is between 0 and 100.")})
    if priority < 1:
        raise ValidationError({"priority": _("Priority 1 comes first; use 1 or more.")})
    return {
        "priority": priority,
        "target_text": target_text.strip(),
        "target_score": target_score,
        "review_date": review_date,
    }


def _is_domain(instrument_slug: str, domain_id: str) -> bool:
    try:
        instrument = get_instrument(instrument_slug)
    except UnknownInstrument:
        return False
    return any(domain.id == domain_id for domain in instrument.domains)


@checks_organisation
@transaction.atomic
def add_goal(
    *,
    by: Any,
    organisation: Any,
    plan: Plan,
    expected_version: int,
    instrument_slug: str,
    domain_id: str,
    priority: int,
    target_text: str = "",
    target_score: float | None = None,
    review_date: date,
) -> Goal:
    plan = _locked(plan.pk, organisation=organisation, expected_version=expected_version)
    if not _is_domain(instrument_slug, domain_id):
        raise ValidationError({"domain_id": _("Choose one of the questionnaire's areas of life.")})
    values = _goal_values(
        priority=priority,
        target_text=target_text,
        target_score=target_score,
        review_date=review_date,
    )
    goal = Goal.objects.create(
        plan=plan, instrument_slug=instrument_slug, domain_id=domain_id, **values
    )
    changes = [
        {"record": f"goal:{domain_id}", "field": name, "before": "", "after": _text(value)}
        for name, value in values.items()
        if value not in ("", None)
    ]
    _changed(plan, by=by, kind="goal_added", changes=changes)
    return goal


@checks_organisation
@transaction.atomic
def change_goal(
    *,
    by: Any,
    organisation: Any,
    goal: Goal,
    expected_version: int,
    priority: int,
    target_text: str = "",
    target_score: float | None = None,
    review_date: date,
) -> Goal:
    plan = _locked(goal.plan_id, organisation=organisation, expected_version=expected_version)
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    values = _goal_values(
        priority=priority,
        target_text=target_text,
        target_score=target_score,
        review_date=review_date,
    )
    changes = _assign(goal, values, record_name=f"goal:{goal.domain_id}")
    if changes:
        goal.save()
        _changed(plan, by=by, kind="goal_changed", changes=changes)
    return goal


@checks_organisation
@transaction.atomic
def remove_goal(*, by: Any, organisation: Any, goal: Goal, expected_version: int) -> Plan:
    plan = _locked(goal.plan_id, organisation=organisation, expected_version=expected_version)
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    changes = [
        {"record": f"goal:{goal.domain_id}", "field": "goal", "before": goal.domain_id, "after": ""}
    ]
    goal.delete()
    return _changed(plan, by=by, kind="goal_removed", changes=changes)


# --- Actions ----------------------------------------------------------------------------


def _action_values(
    *, kind: str, text: str, service: Service | None, due_date: date | None
) -> dict[str, Any]:
    if kind not in ActionKind.values:
        raise ValidationError({"kind": _("Choose what kind of action this is.")})
    if not text.strip():
        raise ValidationError({"text": _("Say what is to be done.")})
    if kind == ActionKind.REFERRAL and service is None:
        raise ValidationError({"service": _("A referral needs the service it goes to.")})
    return {"kind": kind, "text": text.strip(), "service": service, "due_date": due_date}


@checks_organisation
@transaction.atomic
def add_action(
    *,
    by: Any,
    organisation: Any,
    goal: Goal,
    expected_version: int,
    kind: str,
    text: str,
    service: Service | None = None,
    due_date: date | None = None,
) -> Action:
    plan = _locked(goal.plan_id, organisation=organisation, expected_version=expected_version)
    goal = Goal.objects.get(pk=goal.pk, plan=plan)
    values = _action_values(kind=kind, text=text, service=service, due_date=due_date)
    last = goal.actions.order_by("-order").values_list("order", flat=True).first() or 0
    action = Action.objects.create(goal=goal, order=last + 1, **values)
    changes = [
        {"record": f"goal:{goal.domain_id}", "field": name, "before": "", "after": _text(value)}
        for name, value in values.items()
        if value not in ("", None)
    ]
    _changed(plan, by=by, kind="action_added", changes=changes)
    return action


@checks_organisation
@transaction.atomic
def change_action(
    *,
    by: Any,
    organisation: Any,
    action: Action,
    expected_version: int,
    kind: str,
    text: str,
    service: Service | None = None,
    due_date: date | None = None,
    done: bool = False,
) -> Action:
    plan = _locked(
        action.goal.plan_id, organisation=organisation, expected_version=expected_version
    )
    action = Action.objects.select_related("goal", "service").get(pk=action.pk, goal__plan=plan)
    values = _action_values(kind=kind, text=text, service=service, due_date=due_date)
    if done != action.is_done:
        values["done_at"] = timezone.now() if done else None
    changes = _assign(action, values, record_name=f"goal:{action.goal.domain_id}")
    if changes:
        action.save()
        _changed(plan, by=by, kind="action_changed", changes=changes)
    return action


@checks_organisation
@transaction.atomic
def remove_action(*, by: Any, organisation: Any, action: Action, expected_version: int) -> Plan:
    plan = _locked(
        action.goal.plan_id, organisation=organisation, expected_version=expected_version
    )
    action = Action.objects.select_related("goal").get(pk=action.pk, goal__plan=plan)
    changes = [
        {
            "record": f"goal:{action.goal.domain_id}",
            "field": "text",
            "before": action.text,
            "after": "",
        }
    ]
    action.delete()
    return _changed(plan, by=by, kind="action_removed", changes=changes)


# --- Agreement, reviews, closing ----------------------------------------------------------


@checks_organisation
@transaction.atomic
def record_agreement(
    *,
    by: Any,
    organisation: Any,
    plan: Plan,
    expected_version: int,
    agreed_on: date,
    method: str,
    agreed_by: str = "",
) -> Agreement:
    """The client agreed to the plan as it stands (`expected_version`): who, when, how."""
    plan = _locked(plan.pk, organisation=organisation, expected_version=expected_version)
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Choose how the client agreed.")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The date of agreement cannot be in the future.")})
    agreement = Agreement.objects.create(
        plan=plan,
        plan_version=plan.version,
        agreed_on=agreed_on,
        method=method,
        agreed_by=agreed_by.strip(),
        recorded_by=by,
    )
    changes = [
        {"record": "plan", "field": "status", "before": plan.status, "after": PlanStatus.AGREED}
    ]
    _changed(
        plan, by=by, kind="agreed", changes=changes, action="plan.agreed", status=PlanStatus.AGREED
    )
    return agreement


@checks_organisation
@transaction.atomic
def record_review(
    *,
    by: Any,
    organisation: Any,
    plan: Plan,
    expected_version: int,
    reviewed_on: date,
    progress_notes: str,
    next_assessment: Assessment | None = None,
) -> Review:
    """A review of the plan, linked to the assessment that measured progress (one of the
    person's completed assessments)."""
    plan = _locked(plan.pk, organisation=organisation, expected_version=expected_version)
    if not progress_notes.strip():
        raise ValidationError({"progress_notes": _("Say what progress the client made.")})
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The date of a review cannot be in the future.")})
    if next_assessment is not None and (
        next_assessment.person_id != plan.person_id
        or next_assessment.status != AssessmentStatus.COMPLETED
    ):
        raise ValidationError(
            {"next_assessment": _("Choose one of this person's completed assessments.")}
        )
    review = Review.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        progress_notes=progress_notes.strip(),
        next_assessment=next_assessment,
        recorded_by=by,
    )
    changes = [
        {"record": "review", "field": "reviewed_on", "before": "", "after": _text(reviewed_on)}
    ]
    _changed(plan, by=by, kind="reviewed", changes=changes, action="plan.reviewed")
    return review


@checks_organisation
@transaction.atomic
def close_plan(*, by: Any, organisation: Any, plan: Plan, expected_version: int) -> Plan:
    plan = _locked(plan.pk, organisation=organisation, expected_version=expected_version)
    changes = [
        {"record": "plan", "field": "status", "before": plan.status, "after": PlanStatus.CLOSED}
    ]
    return _changed(
        plan,
        by=by,
        kind="closed",
        changes=changes,
        action="plan.closed",
        status=PlanStatus.CLOSED,
        closed_at=timezone.now(),
    )
