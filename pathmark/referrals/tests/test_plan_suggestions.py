"""A drafted plan refers each goal through "where best to refer": the referral action goes
to the best-matched service that may take the person, never to one that would decline."""

from __future__ import annotations

import pytest

from pathmark.organisations.scoping import system_scope
from pathmark.plans.models import ActionKind
from pathmark.plans.tests.conftest import DirectoryServiceFactory
from pathmark.plans.tests.test_services import draft
from pathmark.testing import PersonFactory, run_assessment


@pytest.fixture
def assessment(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name="Hana Planner")
    return run_assessment(world.a_caseworker, world.org_a, person, answer="disagree")


def _referral_of_first_goal(world, assessment):  # type: ignore[no-untyped-def]
    plan = draft(world, assessment)
    with system_scope("test"):
        goal = plan.goals.order_by("priority").first()
        return goal, goal.actions.filter(kind=ActionKind.REFERRAL).first()


def test_the_drafted_referral_skips_a_service_the_person_is_not_eligible_for(world, assessment):
    goal, _ = _referral_of_first_goal(world, assessment)
    # Alphabetically first, so without the ranking it would be the one suggested; Hana is
    # a woman (the factory's), and this service is for men only.
    DirectoryServiceFactory(name="A men's group", domain=goal.domain_id, eligible_genders=["man"])
    open_one = DirectoryServiceFactory(name="B open course", domain=goal.domain_id)
    _goal, referral = _referral_of_first_goal(world, assessment)
    assert referral is not None and referral.service_id == open_one.pk


def test_with_no_service_that_may_take_them_the_caseworker_is_asked_to_find_one(world, assessment):
    goal, _ = _referral_of_first_goal(world, assessment)
    DirectoryServiceFactory(name="A men's group", domain=goal.domain_id, eligible_genders=["man"])
    goal, referral = _referral_of_first_goal(world, assessment)
    assert referral is None
    with system_scope("test"):
        assert goal.actions.filter(kind=ActionKind.CASEWORKER_TASK).exists()
