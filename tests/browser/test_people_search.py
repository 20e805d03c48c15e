"""A caseworker finds a person each way she may have to hand (issue 16), in a real Chromium:
the reference with or without "P-", the name in any case, with a typo, without its accents
or in the other script, the date of birth, the phone however written, and the e-mail; the
results page is a GET whose address holds none of it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from pathmark.testing import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_finds_a_person_each_way(page, sign_in, world):
    target = PersonFactory(
        organisation=world.org_a,
        name="Hala Searchable",
        date_of_birth=date(1987, 11, 23),
        phone="07700 900456",
        email="hala.s@example.org",
    )
    PersonFactory(organisation=world.org_a, name="Someone Else", date_of_birth=date(1970, 1, 1))
    sign_in(world.a_caseworker)
    for query in (
        target.reference,
        f"{target.pk:06d}",
        "HALA",
        "Halla",
        "Hàla Searchible",
        "هالة",
        "1987-11-23",
        "23/11/1987",
        "07700900456",
        "+44 7700 900 456",
        "hala.s@example.org",
    ):
        page.goto("/people/")
        page.get_by_label("Name, reference, date of birth, phone or e-mail").fill(query)
        with page.expect_navigation():
            page.locator("form.search-form button[type=submit]").click()
        results = page.get_by_role("table")
        expect(results).to_contain_text("Hala Searchable")
        expect(results).not_to_contain_text("Someone Else")
        assert query.lower() not in page.url.lower() and "search=" in page.url
        page.reload()
        expect(page.get_by_role("table")).to_contain_text("Hala Searchable")


def test_a_name_written_in_arabic_is_found_in_either_script(page, sign_in, world):
    PersonFactory(organisation=world.org_a, name="هالة الأحمد")
    PersonFactory(organisation=world.org_a, name="Someone Else")
    sign_in(world.a_caseworker)
    for query in ("هاله الاحمد", "Hala", "Halla"):
        page.goto("/people/")
        page.get_by_label("Name, reference, date of birth, phone or e-mail").fill(query)
        with page.expect_navigation():
            page.locator("form.search-form button[type=submit]").click()
        results = page.get_by_role("table")
        expect(results).to_contain_text("هالة الأحمد")
        expect(results).not_to_contain_text("Someone Else")
