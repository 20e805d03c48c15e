"""Plans are personal data: scoped by the person's grants for the `plans` part, and erased
with the person."""

from __future__ import annotations

import pytest

from pathmark.assessments.tests.conftest import share
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Person
from pathmark.plans.models import Action, Goal, Plan
from pathmark.privacy import services as privacy_services
from pathmark.testing import PersonFactory

from .conftest import ActionFactory


@pytest.fixture
def action(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name="Samira Planned")
    return ActionFactory(goal__plan__person=person)


def visible_in(organisation, model):  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=organisation.pk):
        return list(model.objects.values_list("pk", flat=True))


def test_the_holding_organisation_sees_the_plan_goals_and_actions(world, action):
    for model, row in ((Plan, action.goal.plan), (Goal, action.goal), (Action, action)):
        assert visible_in(world.org_a, model) == [row.pk]


def test_another_organisation_sees_nothing_of_the_plan(world, action):
    for model in (Plan, Goal, Action):
        assert visible_in(world.org_b, model) == []


def test_consent_to_share_shows_the_plan_to_that_organisation_only(world, action):
    share(action.goal.plan.person, world.org_b)
    assert visible_in(world.org_b, Action) == [action.pk]
    assert visible_in(world.org_c, Action) == []


def test_erasure_removes_the_plan_and_everything_in_it(world, action):
    person = action.goal.plan.person
    with organisation_scope(organisation_id=world.org_a.pk):
        counts = privacy_services.erase_person(
            by=world.a_manager, organisation=world.org_a, person=person
        )
    assert counts["plans.plans"] >= 3
    with system_scope("test"):
        assert not Plan.objects.filter(person=person).exists()
        assert not Action.objects.filter(text__contains="conversation club").exists()
        assert Person.objects.get(pk=person.pk).status == Person.Status.ERASED


def test_subject_access_copy_includes_the_plan(world, action):
    with organisation_scope(organisation_id=world.org_a.pk):
        copy = privacy_services.export_personal_data(
            by=world.a_manager,
            organisation=world.org_a,
            person=action.goal.plan.person,
            format="json",
        )
    plans = next(rows for provider, rows in copy.sections if provider.key == "plans.plans")
    assert plans[0]["goals"][0]["domain_id"] == "language"
    assert plans[0]["actions"][0]["text"] == "Join the Tuesday conversation club"


def test_the_readable_copy_shows_the_plan_as_tables_not_object_dumps(world, action):
    from pathmark.privacy.rendering import as_html

    with organisation_scope(organisation_id=world.org_a.pk):
        copy = privacy_services.export_personal_data(
            by=world.a_manager,
            organisation=world.org_a,
            person=action.goal.plan.person,
            format="html",
        )
    page = as_html(copy)
    assert "Join the Tuesday conversation club" in page
    assert "Talk to the GP receptionist without help" in page
    assert "Table(" not in page
