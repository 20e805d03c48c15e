"""The loop from assessment to help, in a real Chromium: a caseworker assesses a client,
asks where best to refer them, sends the referral with the client's consent; the service's
provider (another organisation) accepts and completes it; the caseworker sees the loop
closed, and the provider no longer sees the client.

The plan step between the assessment and the referral comes with the plans app's pages."""

import re

import pytest
from playwright.sync_api import expect

from pathmark.directory.models import DirectoryOrganisation, Language, Service
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.testing import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = "Loop Test Client"


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()


def test_caseworker_refers_provider_completes_and_the_loop_closes(page, sign_in, world):
    entry = DirectoryOrganisation.objects.create(organisation=world.org_a, name=world.org_a.name)
    service = Service.objects.create(
        organization=entry, name="ESOL entry level", usual_wait_days=7, places_per_month=12
    )
    Language.objects.create(service=service, name="Arabic", code="ar")
    with system_scope("browser test: a client of B"):
        person = PersonFactory(organisation=world.org_b, name=CLIENT, languages=["ar"])

    # The caseworker of B completes an assessment.
    sign_in(world.b_caseworker)
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Instrument").select_option("integration-journey")
    page.get_by_label("Caseworker-led").check()
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Start").click()
    for _ in range(7):
        for group in page.locator("fieldset.question").all():
            group.get_by_role("radio", name="Disagree", exact=True).check()
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    page.get_by_role("button", name="Complete", exact=True).click()

    # Where best to refer: the service is suggested, saying why.
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name="Where best to refer").click()
    suggestion = page.locator("ol.suggestions > li").filter(has_text="ESOL entry level")
    expect(suggestion.locator(".why")).to_contain_text("speaks Arabic")
    suggestion.locator("summary").click()
    suggestion.get_by_label(
        "The person agreed that we share their details with this service"
    ).check()
    suggestion.get_by_label("How they agreed").select_option("interpreter")
    suggestion.get_by_role("button", name="Send the referral").click()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "sent")
    referral_url = page.url

    # The provider of A (another organisation) accepts, starts and completes it.
    _sign_out(page)
    sign_in(world.member(world.org_a, Role.SERVICE_PROVIDER))
    page.get_by_role("link", name="Referrals received").click()
    page.get_by_role("row").filter(has_text=CLIENT).get_by_role("link").click()
    expect(page.get_by_text(CLIENT).first).to_be_visible()
    for button in ("Accept", "They have started", "Completed"):
        page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
    expect(page.get_by_text(CLIENT)).to_have_count(0)
    assert page.goto(referral_url).status == 404
    assert page.goto(f"/people/{person.pk}/").status == 404

    # The caseworker sees the loop closed.
    _sign_out(page)
    sign_in(world.b_caseworker)
    page.goto(f"/people/{person.pk}/")
    section = page.locator("#referrals")
    expect(section.locator("[data-status]")).to_have_attribute("data-status", "completed")
    expect(section).to_contain_text("ESOL entry level")
