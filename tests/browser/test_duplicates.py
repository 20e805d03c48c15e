"""A duplicate is caught before the registration is saved, and when a second record was made
anyway it is merged: the kept record's journey then holds the assessments of both, and the
merged record's address leads to it. In a real Chromium, without JavaScript needed."""

from datetime import date

import pytest
from playwright.sync_api import expect

from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.testing import PersonFactory, run_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_registration(page, *, name: str, born: str, phone: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto("/people/register/")
    page.get_by_label("The person agrees that we hold and use their information").check()
    page.get_by_label("How consent was given").select_option("interpreter")
    page.get_by_label("Name or pseudonym").fill(name)
    page.get_by_label("Date of birth").fill(born)
    if phone:
        page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Register").click()


def test_a_duplicate_is_caught_before_saving_then_merged_with_its_journey_whole(
    page, sign_in, world
):
    existing = PersonFactory(
        organisation=world.org_a, name="Nour Haddad", date_of_birth=date(1991, 2, 3)
    )
    run_assessment(world.a_caseworker, world.org_a, existing, assessed_on=date(2025, 1, 10))
    sign_in(world.a_caseworker)

    # Caught before saving: a typo in the name, the same date of birth.
    fill_registration(page, name="Nour Hadad", born="1991-02-03")
    expect(page.get_by_role("heading", name="Is this someone already registered?")).to_be_visible()
    candidates = page.get_by_role("table", name="Records that may be the same person")
    expect(candidates).to_contain_text(existing.reference)
    expect(candidates).to_contain_text("Nour Haddad")
    expect(candidates).to_contain_text("3 February 1991")
    with system_scope("test"):
        assert Person.objects.count() == 1
    # The form kept what was typed; the caseworker is not sure and registers anyway.
    expect(page.get_by_label("Name or pseudonym")).to_have_value("Nour Hadad")
    page.get_by_role("button", name="Not sure: register and decide later").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nour Hadad")
    with system_scope("test"):
        second = Person.objects.get(name="Nour Hadad")
    run_assessment(world.a_caseworker, world.org_a, second, assessed_on=date(2025, 7, 20))

    # The open question is on the record; she decides they are one person and merges.
    page.goto(f"/people/{second.pk}/")
    duplicates = page.get_by_role("region", name="Possible duplicates")
    expect(duplicates).to_contain_text(existing.reference)
    duplicates.get_by_role("link", name="Same person: merge…").click()
    page.get_by_label(f"{existing.reference} — Nour Haddad").check()
    page.get_by_label("The person was registered again under another spelling or name").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(
        page.get_by_text(f"Merged. {second.reference} now leads to {existing.reference}")
    ).to_be_visible()

    # The journey is whole: both assessments, from both records, in one series.
    page.locator("main ul.actions").get_by_role("link", name="Journey", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(existing.reference)
    expect(page.locator("table.series-table").first).to_contain_text("10 Jan 2025")
    expect(page.locator("table.series-table").first).to_contain_text("20 Jul 2025")
    # The merged record's address and reference lead to the kept one.
    page.goto(f"/people/{second.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(existing.reference)
    expect(page.get_by_role("region", name="Possible duplicates")).to_have_count(0)


def test_an_identical_phone_is_caught_and_not_the_same_person_is_remembered(page, sign_in, world):
    existing = PersonFactory(organisation=world.org_a, name="Samir Older", phone="07700 900777")
    sign_in(world.a_caseworker)
    fill_registration(page, name="Layla Younger", born="2001-09-09", phone="+44 7700 900777")
    candidates = page.get_by_role("table", name="Records that may be the same person")
    expect(candidates).to_contain_text(existing.reference)
    expect(candidates).to_contain_text("same phone number")
    page.get_by_role("button", name="None of these is the same person: register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Layla Younger")
    expect(page.get_by_role("region", name="Possible duplicates")).to_have_count(0)
