"""Factories for plan tests: a plan with one goal and one action, held by the person's own
organisation."""

from __future__ import annotations

from datetime import date

import factory

from pathmark.plans.models import Action, ActionKind, Goal, Plan
from pathmark.testing import PersonFactory, SystemScopedFactory


class PlanFactory(SystemScopedFactory):
    class Meta:
        model = Plan

    person = factory.LazyFunction(PersonFactory)
    organisation = factory.LazyAttribute(lambda plan: plan.person.organisation)


class GoalFactory(SystemScopedFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    instrument_slug = "integration-journey"
    domain_id = "language"
    priority = 1
    target_text = "Talk to the GP receptionist without help"
    review_date = date(2026, 3, 1)


class ActionFactory(SystemScopedFactory):
    class Meta:
        model = Action

    goal = factory.SubFactory(GoalFactory)
    kind = ActionKind.CLIENT_STEP
    text = "Join the Tuesday conversation club"


def DirectoryServiceFactory(  # noqa: N802 - reads as the other factories
    *, name: str, domain: str, instrument: str = "integration-journey", **fields
):  # type: ignore[no-untyped-def]
    """A referable directory service whose first theme addresses `domain`."""
    from pathmark.directory.catalogue import themes
    from pathmark.directory.models import DirectoryOrganisation, Service, TaxonomyTerm

    theme = themes().themes_for_domain(instrument, domain)[0]
    term, _created = TaxonomyTerm.objects.get_or_create(
        id=theme.term_id, defaults={"code": theme.slug, "name": theme.title_in("en")}
    )
    provider = DirectoryOrganisation.objects.create(name=f"{name} provider")
    service = Service.objects.create(organization=provider, name=name, **fields)
    service.themes.add(term)
    return service
