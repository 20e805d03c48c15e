"""Plan pages: drafting from the result page, editing with the optimistic lock's message,
agreement, the history, the printable plan in the client's language, and who may not."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.plans.models import Plan, PlanStatus
from pathmark.testing import PersonFactory, assert_disallowed, client_for, run_assessment


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    return PersonFactory(organisation=world.org_a, name="Layla Viewpage", preferred_language="ar")


@pytest.fixture
def assessment(world, person):  # type: ignore[no-untyped-def]
    return run_assessment(world.a_caseworker, world.org_a, person, answer="disagree")


@pytest.fixture
def plan(world, assessment):  # type: ignore[no-untyped-def]
    response = client_for(world.a_caseworker).post(f"/plans/from-assessment/{assessment.pk}/")
    assert response.status_code == 302
    with system_scope("test"):
        return Plan.objects.get(person=assessment.person)


def test_the_result_page_and_the_person_page_offer_to_draft_a_plan(world, assessment):
    client = client_for(world.a_caseworker)
    url = f"/plans/from-assessment/{assessment.pk}/"
    assert url in client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert url in client.get(f"/people/{assessment.person_id}/").content.decode()


def test_drafting_from_the_page_opens_the_draft_plan(world, assessment, plan):
    page = client_for(world.a_caseworker).get(f"/plans/{plan.pk}/").content.decode()
    assert plan.reference in page and "Draft" in page
    assert (
        plan.reference
        in client_for(world.a_caseworker).get(f"/people/{assessment.person_id}/").content.decode()
    )


def test_a_goal_is_changed_through_its_page(world, plan):
    with system_scope("test"):
        goal = plan.goals.first()
    client = client_for(world.a_caseworker)
    response = client.post(
        f"/plans/goals/{goal.pk}/",
        {
            "version": 1,
            "priority": 1,
            "target_text": "Ask for a GP appointment by phone",
            "target_score": "70",
            "review_date": "2027-01-10",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Ask for a GP appointment by phone" in page and "Version 2" in page


def test_the_second_caseworker_sees_what_changed_and_keeps_their_input(world, plan):
    with system_scope("test"):
        goal = plan.goals.first()
    form = {"version": 1, "priority": 1, "target_score": "", "review_date": "2027-01-10"}
    first = client_for(world.a_caseworker).post(
        f"/plans/goals/{goal.pk}/", {**form, "target_text": "First words"}
    )
    assert first.status_code == 302
    second = client_for(world.a_manager).post(
        f"/plans/goals/{goal.pk}/", {**form, "target_text": "Second words"}
    )
    page = second.content.decode()
    assert second.status_code == 200
    assert "Someone else changed this plan while you were editing it" in page
    assert "First words" in page  # their change, shown
    assert "Second words" in page  # my input, kept in the form
    assert re.search(r'name="version" value="2"', page)
    with system_scope("test"):
        goal.refresh_from_db()
    assert goal.target_text == "First words"


def test_agreement_is_recorded_and_shown(world, plan):
    client = client_for(world.a_caseworker)
    response = client.post(
        f"/plans/{plan.pk}/agree/",
        {"version": 1, "agreed_on": timezone.localdate().isoformat(), "method": "interpreter"},
    )
    assert response.status_code == 302
    with system_scope("test"):
        plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    assert "The client agreed to version 1" in client.get(f"/plans/{plan.pk}/").content.decode()


def test_the_history_lists_who_changed_what(world, plan):
    client_for(world.a_caseworker).post(
        f"/plans/{plan.pk}/agree/",
        {"version": 1, "agreed_on": timezone.localdate().isoformat(), "method": "in_person"},
    )
    page = client_for(world.a_manager).get(f"/plans/{plan.pk}/history/").content.decode()
    assert (
        "Recorded the client&#x27;s agreement" in page or "Recorded the client's agreement" in page
    )
    assert "Drafted from an assessment" in page
    assert AuditEvent.objects.filter(action="plan.history_viewed").exists()


def test_the_printed_plan_is_in_the_clients_language_inside_an_english_page(world, plan):
    page = client_for(world.a_caseworker).get(f"/plans/{plan.pk}/print/").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert "Back to the plan" in page  # the caseworker's own interface stays English
    english = client_for(world.a_caseworker).get(f"/plans/{plan.pk}/print/?language=en")
    assert "My plan" in english.content.decode()


def test_an_organisation_the_person_is_shared_with_reads_but_cannot_change(world, person, plan):
    from pathmark.assessments.tests.conftest import share

    share(person, world.org_b)
    client = client_for(world.b_caseworker)
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    assert_disallowed(f"/plans/{plan.pk}/agree/", [world.b_caseworker])
    assert_disallowed(f"/plans/{plan.pk}/close/", [world.b_caseworker], method="post")


def test_others_may_not_see_or_change_the_plan(world, plan):
    with system_scope("test"):
        goal = plan.goals.first()
        action = goal.actions.first()
    outsiders = [*world.everyone_outside(world.org_a), None]
    inside_without_role = [world.member(world.org_a, Role.ANALYST)]
    for url in (
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/history/",
        f"/plans/{plan.pk}/print/",
        f"/plans/{plan.pk}/agree/",
        f"/plans/goals/{goal.pk}/",
        f"/plans/actions/{action.pk}/",
    ):
        assert_disallowed(url, outsiders + inside_without_role, secret="Layla")


def test_a_review_shows_each_goals_score_on_the_linked_assessment(world, person, plan):
    later = run_assessment(world.a_caseworker, world.org_a, person, answer="strongly-agree")
    client = client_for(world.a_caseworker)
    response = client.post(
        f"/plans/{plan.pk}/review/",
        {
            "version": 1,
            "reviewed_on": timezone.localdate().isoformat(),
            "progress_notes": "Goes to class every week",
            "next_assessment": later.pk,
        },
    )
    assert response.status_code == 302
    with system_scope("test"):
        goal = plan.goals.order_by("priority").first()
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Score at the latest review" in page and "Goes to class every week" in page
    score = later.domain_scores[goal.domain_id]
    shown = Decimal(str(score)).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # as floatformat
    assert f"{shown} out of 100" in page
    assert ("Target reached" in page) == (score >= goal.target_score)


@pytest.mark.parametrize("history", [50, 1])
def test_the_person_page_drafts_from_the_latest_completed_assessment_past_newer_drafts(
    world, person, assessment, history, monkeypatch
):
    """The draft link names the latest completed assessment, whether the assessments part of
    the page showed it (it reads the newest ones first) or only drafts were shown (then it is
    looked up)."""
    from datetime import date

    from pathmark.assessments import selectors as assessment_selectors
    from pathmark.assessments import services as assessment_services
    from pathmark.organisations.scoping import organisation_scope

    monkeypatch.setattr(assessment_selectors, "HISTORY_LIMIT", history)
    later = run_assessment(
        world.a_caseworker, world.org_a, person, answer="agree", assessed_on=date(2025, 9, 1)
    )
    user = world.a_caseworker
    with organisation_scope(organisation_id=world.org_a.pk, user_id=user.pk, role="caseworker"):
        for day in (2, 3):
            assessment_services.start_assessment(
                by=user,
                organisation=world.org_a,
                person=person,
                instrument_slug="integration-journey",
                mode="caseworker_led",
                language="en",
                assessed_on=date(2025, 10, day),
            )
    page = client_for(user).get(f"/people/{person.pk}/").content.decode()
    assert f"/plans/from-assessment/{later.pk}/" in page
    assert f"/plans/from-assessment/{assessment.pk}/" not in page
