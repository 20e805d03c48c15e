"""A caseworker registers a client, runs an assessment page by page and reads the result,
in a real Chromium, as a person would."""

import re

import pytest
from playwright.sync_api import expect

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.testing import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_registers_assesses_and_sees_scores(page, sign_in, world):
    sign_in(world.a_caseworker)
    page.get_by_role("link", name="Register a person").first.click()
    page.get_by_label("The person agrees that we hold and use their information").check()
    page.get_by_label("How consent was given").select_option("interpreter")
    page.get_by_label("Name or pseudonym").fill("Browser Test Person")
    page.get_by_label("Date of birth").fill("1992-05-17")
    page.get_by_label("Preferred language").select_option("ar")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Browser Test Person")

    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Instrument").select_option("integration-journey")
    page.get_by_label("Caseworker-led").check()
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Start").click()

    # Answer every question on every domain page with the second-best option.
    for _ in range(7):
        for group in page.locator("fieldset.question").all():
            group.get_by_role("radio", name="Agree", exact=True).check()
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("Every question has an answer.")).to_be_visible()
    page.get_by_role("button", name="Complete", exact=True).click()

    table = page.get_by_role("table").filter(has_text="Score (0 to 100)").first
    expect(table).to_be_visible()
    expect(page.locator(".chart svg").first).to_be_visible()
    overall = table.get_by_role("row").filter(has_text="Overall")
    # "Agree" scores 75 and reverse-scored items give 25, so the overall lies between.
    value = float(overall.get_by_role("cell").inner_text())
    assert 25 <= value <= 75
    assert AuditEvent.objects.filter(
        action="assessment.completed", actor=world.a_caseworker
    ).exists()


def test_arabic_pages_are_right_to_left(page, sign_in, world):
    sign_in(world.a_caseworker)
    page.get_by_label("Language").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")


def test_other_organisation_sees_not_found_for_a_person(page, sign_in, world):
    person = PersonFactory(organisation=world.org_b, name="Hidden In Browser")
    sign_in(world.member(world.org_a, Role.CASEWORKER))
    response = page.goto(f"/people/{person.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Hidden In Browser")).to_have_count(0)


def _start_journey(page, person) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/assessments/person/{person.pk}/start/")
    page.get_by_label("Instrument").select_option("integration-journey")
    page.get_by_label("Caseworker-led").check()
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Start").click()


def test_moving_between_parts_keeps_what_was_answered(page, sign_in, world):
    person = PersonFactory(organisation=world.org_a, name="Interrupted Person")
    sign_in(world.a_caseworker)
    _start_journey(page, person)
    first_question = page.locator("fieldset.question").first
    first_question.get_by_role("radio", name="Agree", exact=True).check()
    # Jump to the third part from the step list without pressing "Save and continue".
    page.locator(".progress-full button[value=part-3]").click()
    expect(page.get_by_text("Part 3 of 7").first).to_be_attached()
    page.locator(".progress-full button[value=part-1]").click()
    expect(
        page.locator("fieldset.question").first.get_by_role("radio", name="Agree", exact=True)
    ).to_be_checked()


def test_on_a_phone_the_first_question_is_on_the_first_screen(page, sign_in, world):
    person = PersonFactory(organisation=world.org_a, name="Phone Person")
    page.set_viewport_size({"width": 360, "height": 640})
    sign_in(world.a_caseworker)
    _start_journey(page, person)
    legend = page.locator("fieldset.question legend").first
    box = legend.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 640, box
    # The step list is folded into "Part 1 of 7" rather than filling the screen.
    expect(page.locator(".progress-full")).to_be_hidden()
    expect(page.locator(".progress-compact summary")).to_be_visible()


def test_an_interrupted_assessment_keeps_its_answers_when_resumed(page, sign_in, world):
    person = PersonFactory(organisation=world.org_a, name="Resumed Person")
    sign_in(world.a_caseworker)
    _start_journey(page, person)
    page.locator("fieldset.question").first.get_by_role("radio", name="Agree", exact=True).check()
    page.get_by_role("button", name="Save and continue").first.click()
    expect(page.get_by_text("Part 2 of 7").first).to_be_attached()
    page.locator("fieldset.question").first.get_by_role(
        "radio", name="Disagree", exact=True
    ).check()
    # Interrupted: she jumps to another part (which saves), then her session ends.
    page.locator(".progress-full button[value=part-3]").click()
    expect(page.get_by_text("Part 3 of 7").first).to_be_attached()
    page.context.clear_cookies()

    sign_in(world.a_caseworker)
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name=re.compile("^Resume ")).click()
    # Resuming opens "Check your answers", from which each part is a link.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.locator(".progress-full a").first.click()
    expect(
        page.locator("fieldset.question").first.get_by_role("radio", name="Agree", exact=True)
    ).to_be_checked()
    page.locator(".progress-full button[value=part-2]").click()
    expect(
        page.locator("fieldset.question").first.get_by_role("radio", name="Disagree", exact=True)
    ).to_be_checked()
