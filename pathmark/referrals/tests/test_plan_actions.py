"""A plan action of kind referral sends a referral, and the plan page shows where it stands."""

from __future__ import annotations

from django.urls import reverse

from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.plans.models import ActionKind
from pathmark.plans.tests.conftest import ActionFactory, GoalFactory, PlanFactory
from pathmark.referrals import services, states
from pathmark.referrals.models import Referral
from pathmark.testing import client_for

from .conftest import CONSENT, as_member, move, refer

SEND = {
    "consent_given": "on",
    "consent_method": "in_person",
    "consent_given_on": "2026-01-05",
    "note": "Mornings suit",
}


def referral_action(world, person, service):  # type: ignore[no-untyped-def]
    with system_scope("test"):
        plan = PlanFactory(person=person, organisation=world.org_b)
        goal = GoalFactory(plan=plan)
        return ActionFactory(
            goal=goal, kind=ActionKind.REFERRAL, service=service, text="ESOL at the library"
        )


def test_plan_page_links_an_unsent_referral_action_to_the_sending_page(
    world, client_person, service
):
    action = referral_action(world, client_person, service)
    page = client_for(world.b_caseworker).get(reverse("plans:detail", args=[action.goal.plan_id]))
    text = page.content.decode()
    assert reverse("referrals:from_plan_action", args=[action.pk]) in text
    assert "Send the referral" in text


def test_sending_from_the_action_links_the_referral_and_the_plan_shows_each_state(
    world, client_person, service
):
    action = referral_action(world, client_person, service)
    caseworker = client_for(world.b_caseworker)
    form = caseworker.get(reverse("referrals:from_plan_action", args=[action.pk]))
    assert form.status_code == 200
    assert service.name in form.content.decode()
    response = caseworker.post(reverse("referrals:from_plan_action", args=[action.pk]), SEND)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[action.goal.plan_id])
    referral = Referral._base_manager.get(person=client_person)
    assert referral.plan_action_id == action.pk
    assert referral.status == states.SENT
    assert referral.consent_given_on is not None
    assert (referral.instrument, referral.domain) == ("integration-journey", "language")
    # Queryable both ways.
    with system_scope("test"):
        assert list(action.referrals.all()) == [referral]
        assert referral.plan_action.goal.plan_id == action.goal.plan_id

    plan_url = reverse("plans:detail", args=[action.goal.plan_id])
    detail = reverse("referrals:detail", args=[referral.pk])
    text = caseworker.get(plan_url).content.decode()
    assert "Referral sent" in text and detail in text
    # A second send while it is open goes to the referral, sending nothing.
    again = caseworker.post(reverse("referrals:from_plan_action", args=[action.pk]), SEND)
    assert again["Location"] == detail
    assert Referral._base_manager.count() == 1

    move(world, world.org_a, referral, states.ACCEPTED)
    assert "Referral accepted" in caseworker.get(plan_url).content.decode()
    move(world, world.org_a, referral, states.STARTED)
    move(world, world.org_a, referral, states.COMPLETED)
    text = caseworker.get(plan_url).content.decode()
    assert "Referral completed" in text
    # The review sees the outcome too.
    review = caseworker.get(reverse("plans:review", args=[action.goal.plan_id])).content.decode()
    assert "Referral completed" in review and detail in review


def test_a_declined_referral_says_why_and_may_be_sent_again(world, client_person, service):
    action = referral_action(world, client_person, service)
    referral = refer(world, client_person, service, plan_action=action)
    move(world, world.org_a, referral, states.DECLINED, reason=states.NO_CAPACITY)
    text = (
        client_for(world.b_caseworker)
        .get(reverse("plans:detail", args=[action.goal.plan_id]))
        .content.decode()
    )
    assert "Referral declined: No places at the moment" in text
    assert reverse("referrals:from_plan_action", args=[action.pk]) in text


def test_only_the_plans_organisation_sends_its_actions(world, client_person, service):
    action = referral_action(world, client_person, service)
    url = reverse("referrals:from_plan_action", args=[action.pk])
    assert client_for(world.a_caseworker).get(url).status_code == 404
    assert client_for(world.a_caseworker).post(url, SEND).status_code == 404
    provider = client_for(world.member(world.org_b, Role.SERVICE_PROVIDER))
    assert provider.get(url).status_code in (403, 404)
    assert not Referral._base_manager.exists()


def test_an_action_of_another_person_or_kind_is_refused(world, client_person, service):
    action = referral_action(world, client_person, service)
    with system_scope("test"):
        step = ActionFactory(goal=action.goal, kind=ActionKind.CLIENT_STEP)
    assert (
        client_for(world.b_caseworker)
        .get(reverse("referrals:from_plan_action", args=[step.pk]))
        .status_code
        == 404
    )
    user, scope = as_member(world, world.org_b)
    with scope:
        try:
            services.draft_referral(
                by=user,
                organisation=world.org_b,
                person=client_person,
                service=service,
                consent=CONSENT,
                plan_action=step,
            )
        except services.ReferralError as error:
            assert "Only an action that is a referral" in str(error)
        else:
            raise AssertionError("a client step was sent as a referral")
    assert not Referral._base_manager.exists()
