"""Reading plans: one plan (audited, 404-shaped), a person's plans, a plan's history, and the
person's standing in each domain on the assessment a plan is drafted from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from pathmark.assessments.models import Assessment, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.assessments.text import in_language
from pathmark.audit.services import record
from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service, ServiceStatus
from pathmark.instruments.definition import Instrument
from pathmark.journeys.selectors import norms_by_key
from pathmark.journeys.trajectory import ScoredAssessment, journey_of
from pathmark.organisations.scoping import prepared
from pathmark.people.models import Person

from .drafting import DomainStanding
from .models import Action, Goal, Plan, PlanChange


def plan_for(
    *,
    actor: Any,
    organisation: Any,
    plan_id: int,
    action: str = "plan.viewed",
    for_writing: bool = False,
) -> Plan:
    """The plan if the current scope may see it (and, `for_writing`, change it: only the
    organisation holding it); `Plan.DoesNotExist` otherwise, missing and not-yours alike."""
    plan = (
        Plan.objects.exclude(person__status=Person.Status.ERASED)
        .select_related("person", "organisation", "assessment__instrument_version", "created_by")
        .get(pk=plan_id)
    )
    if for_writing and plan.organisation_id != organisation.pk:
        raise Plan.DoesNotExist
    record(actor=actor, organisation=organisation, action=action, target=plan)
    return plan


def goal_for(*, actor: Any, organisation: Any, goal_id: int) -> Goal:
    """A goal of a plan this organisation holds, for the pages that change it."""
    goal = Goal.objects.select_related("plan").get(pk=goal_id)
    plan_for(
        actor=actor,
        organisation=organisation,
        plan_id=goal.plan_id,
        action="plan.viewed_for_edit",
        for_writing=True,
    )
    return goal


def action_for(*, actor: Any, organisation: Any, action_id: int) -> Action:
    """An action of a plan this organisation holds, for the page that changes it."""
    found = Action.objects.select_related("goal__plan", "service").get(pk=action_id)
    plan_for(
        actor=actor,
        organisation=organisation,
        plan_id=found.goal.plan_id,
        action="plan.viewed_for_edit",
        for_writing=True,
    )
    return found


def plans_of(person: Person) -> list[Plan]:
    """The person's plans visible in the current scope, newest first."""
    return _plans_of(person.pk)


@prepared
def _plans_of(person_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(person_id=person_id).select_related("organisation")


def changes_since(plan: Plan, version: int) -> list[PlanChange]:
    """What was changed after `version`, oldest first: what a caseworker editing an older
    copy of the plan has not seen."""
    return list(
        PlanChange.objects.filter(plan=plan, version__gt=version)
        .select_related("changed_by")
        .order_by("version", "pk")
    )


def history_of(plan: Plan) -> list[PlanChange]:
    return list(PlanChange.objects.filter(plan=plan).select_related("changed_by"))


@dataclass(frozen=True)
class Standings:
    instrument: Instrument
    domains: tuple[DomainStanding, ...]


def standings_of(assessment: Assessment) -> Standings:
    """Each domain of the assessment's instrument as `drafting` needs it: the score, the host
    norm in force on the day, and whether the journey fell into this assessment (the journeys
    app's own rule, from the person's assessments up to this one)."""
    slug = assessment.instrument_version.slug
    instrument = instrument_of(assessment.instrument_version)
    rows = (
        Assessment.objects.filter(
            person_id=assessment.person_id,
            status=AssessmentStatus.COMPLETED,
            instrument_version__slug=slug,
            assessed_on__lte=assessment.assessed_on,
        )
        .exclude(assessed_on=assessment.assessed_on, pk__gt=assessment.pk)
        .only("assessed_on", "domain_scores", "overall_score")
        .order_by("assessed_on", "pk")
    )
    journey = journey_of(
        instrument,
        [ScoredAssessment(a.assessed_on, a.domain_scores, a.overall_score) for a in rows],
        norms=norms_by_key(slug),
        as_of=assessment.assessed_on,
    )
    standings = []
    for domain in instrument.domains:
        series = journey.series(domain.id)
        latest = series.latest if series is not None else None
        norm = latest.host_norm.value if latest is not None and latest.host_norm else None
        standings.append(
            DomainStanding(
                domain_id=domain.id,
                score=assessment.domain_scores.get(domain.id),
                host_norm=norm,
                falling=bool(series is not None and series.turned_down),
            )
        )
    return Standings(instrument, tuple(standings))


def services_for_domain(instrument_slug: str, domain_id: str, *, limit: int = 20) -> list[Service]:
    """Referable services whose themes address the domain, by name (the referrals app may rank
    them through `hooks.service_suggestions`)."""
    codes = [theme.slug for theme in themes().themes_for_domain(instrument_slug, domain_id)]
    if not codes:
        return []
    return list(
        Service.objects.filter(
            themes__code__in=codes, status=ServiceStatus.ACTIVE, taking_referrals=True
        )
        .distinct()
        .order_by("name", "id")[:limit]
    )


def domain_title(instrument_slug: str, domain_id: str, language: str) -> str:
    """The domain's title in `language` (English where untranslated), or its id."""
    from pathmark.instruments.registry import UnknownInstrument, get_instrument

    try:
        instrument = get_instrument(instrument_slug)
    except UnknownInstrument:
        return domain_id
    domain = next((d for d in instrument.domains if d.id == domain_id), None)
    return in_language(domain.title, language) if domain else domain_id
