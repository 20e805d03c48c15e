"""Personal integration plans in a real Chromium, on a 360 px phone screen: drafting from a
result page, editing, a second caseworker's conflicting edit, agreement, the printable plan
in the client's language, and the Arabic interface."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.plans import services as plan_services
from pathmark.plans.models import Plan
from pathmark.testing import PersonFactory, run_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def fits_the_screen(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def assessed(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(
        organisation=world.org_a, name="Browser Plan Person", preferred_language="ar"
    )
    return run_assessment(world.a_caseworker, world.org_a, person, answer="disagree")


def test_caseworker_drafts_edits_and_agrees_a_plan_on_a_phone(page, sign_in, world, assessed):
    page.set_viewport_size(PHONE)
    sign_in(world.a_caseworker)
    page.goto(f"/assessments/{assessed.pk}/")
    page.get_by_role("link", name="Draft a plan from this assessment").click()
    page.get_by_role("button", name="Draft the plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal integration plan")
    expect(page.get_by_text("A draft plan is ready")).to_be_visible()
    assert page.locator(".plan-goal").count() >= 1
    assert fits_the_screen(page)

    page.get_by_role("link", name="Change the goal:").first.click()
    page.get_by_label("What the person aims for, in their words").fill("Phone the GP alone")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("Phone the GP alone")).to_be_visible()
    expect(page.get_by_text("Version 2")).to_be_visible()

    page.get_by_role("link", name="Record the client's agreement").click()
    page.get_by_label("In person, with an interpreter").check()
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.get_by_text("The client agreed to version 2")).to_be_visible()

    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("Recorded the client's agreement")).to_be_visible()
    assert fits_the_screen(page)


def test_a_conflicting_edit_shows_what_the_other_caseworker_changed(page, sign_in, world, assessed):
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk):
        plan = plan_services.draft_plan(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessed
        )
    with system_scope("test"):
        goal = plan.goals.order_by("priority").first()
    page.set_viewport_size(PHONE)
    sign_in(world.a_caseworker)
    page.goto(f"/plans/goals/{goal.pk}/")
    page.get_by_label("What the person aims for, in their words").fill("My words")
    # Meanwhile the manager changes the same goal.
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_manager.pk):
        plan_services.change_goal(
            by=world.a_manager,
            organisation=world.org_a,
            goal=goal,
            expected_version=1,
            priority=1,
            target_text="The manager's words",
            target_score=None,
            review_date=goal.review_date,
        )
    page.get_by_role("button", name="Save the goal").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Someone else changed this plan while you were editing it")
    expect(alert).to_contain_text("The manager's words")
    expect(page.get_by_label("What the person aims for, in their words")).to_have_value("My words")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("The plan is saved.")).to_be_visible()
    with system_scope("test"):
        assert Plan.objects.get(pk=plan.pk).version == 3


def test_the_printed_plan_is_arabic_and_the_page_around_it_stays_english(
    page, sign_in, world, assessed
):
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk):
        plan = plan_services.draft_plan(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessed
        )
    page.set_viewport_size(PHONE)
    sign_in(world.a_caseworker)
    page.goto(f"/plans/{plan.pk}/")
    page.get_by_role("link", name="Print for the client").click()
    article = page.locator("article.printable-plan")
    expect(article).to_have_attribute("dir", "rtl")
    expect(article.get_by_role("heading", level=1)).to_have_text("خطتي")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Back to the plan")).to_be_visible()
    assert fits_the_screen(page)
    page.get_by_label("Print in").select_option("en")
    page.get_by_role("button", name="Show").click()
    expect(article.get_by_role("heading", level=1)).to_have_text("My plan")


def test_the_plan_page_reads_right_to_left_in_arabic(page, sign_in, world, assessed):
    with organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk):
        plan = plan_services.draft_plan(
            by=world.a_caseworker, organisation=world.org_a, assessment=assessed
        )
    page.set_viewport_size(PHONE)
    sign_in(world.a_caseworker)
    page.get_by_label("Language").select_option("ar")
    page.locator("form.language button").click()
    page.goto(f"/plans/{plan.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("خطة الاندماج الشخصية")
    assert fits_the_screen(page)
    page.goto(f"/people/{assessed.person_id}/")
    expect(page.get_by_role("heading", name="خطط الاندماج الشخصية")).to_be_visible()
    assert fits_the_screen(page)
