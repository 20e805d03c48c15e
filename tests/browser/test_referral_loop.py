"""The loop from assessment to help, on the demo partnership, in a real Chromium: Amira (a
caseworker of Northbridge Refugee Support) assesses a client, drafts a plan from the result,
adds a referral to the college's ESOL classes to it, records the client's agreement and sends
the referral from the plan action with the client's consent; Lena (the college's service
provider, another organisation) accepts, starts and completes it and then no longer sees the
client; Amira sees the loop closed on the plan page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from pathmark.accounts.models import User
from pathmark.demo.services import load_demo_partnership
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import ImmigrationStatus
from pathmark.referrals.models import Referral
from pathmark.testing import PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = "Loop Test Client"
ESOL = "ESOL Entry 1-3 classes"
# The integration journey's domain that ESOL works on (directory/data/themes.yaml).
DOMAIN = "Personal agency"


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    settings.PATHMARK_DEMO = True
    # The categories a migration installs are gone once an earlier test flushed the database.
    ImmigrationStatus.objects.get_or_create(
        slug="refugee-status", defaults={"label": "Refugee status", "position": 1}
    )
    load_demo_partnership(people=6)
    Organisation.objects.update(require_two_factor=False)
    users = {}
    for username in ("amira", "lena"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()
        users[username] = user
    charity = Organisation.objects.get(slug="northbridge-refugee-support")
    with system_scope("browser test: a new client of the charity"):
        person = PersonFactory(
            organisation=charity,
            name=CLIENT,
            languages=["ar"],
            postcode="NB1 4AA",
            date_of_birth=date(1990, 5, 1),
        )
    return users, person


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()


def test_a_referral_sent_from_the_plan_closes_the_loop_on_the_plan(page, sign_in, demo):
    users, person = demo

    # Amira completes an assessment: struggling in personal agency, doing well elsewhere.
    sign_in(users["amira"])
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Instrument").select_option("integration-journey")
    page.get_by_label("Caseworker-led").check()
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Start").click()
    for _ in range(7):
        heading = page.get_by_role("heading", level=1).inner_text()
        answer = "Strongly disagree" if DOMAIN in heading else "Agree"
        for group in page.locator("fieldset.question").all():
            group.get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()
    page.get_by_role("button", name="Complete", exact=True).click()

    # She drafts a plan from the result, adds the referral and records the agreement.
    page.get_by_role("link", name="Draft a plan from this assessment").click()
    page.get_by_role("button", name="Draft the plan").click()
    expect(page.get_by_text("A draft plan is ready")).to_be_visible()
    plan_url = page.url
    goal = page.locator(".plan-goal").filter(has_text=DOMAIN).first
    goal.get_by_role("link", name="Add an action").click()
    page.get_by_label("A referral to a service").check()
    page.get_by_label("What to do").fill("English classes at the college")
    page.get_by_label("Service (for a referral)").select_option(
        label=f"{ESOL} (Northbridge College ESOL)"
    )
    page.get_by_role("button", name="Add the action").click()
    page.get_by_role("link", name="Record the client's agreement").click()
    page.get_by_label("In person, with an interpreter").check()
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.get_by_text(re.compile("The client agreed to version"))).to_be_visible()

    # She sends the referral from the plan action, with the client's consent to share.
    action = page.locator(".plan-actions > li").filter(has_text="English classes at the college")
    action.get_by_role("link", name="Send the referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer to {ESOL}")
    page.get_by_label("The person agreed that we share their details with this service").check()
    page.get_by_label("How they agreed").select_option("interpreter")
    page.get_by_role("button", name="Send the referral").click()
    assert page.url == plan_url
    expect(action.get_by_role("link", name="Referral sent")).to_be_visible()
    with system_scope("browser test: the referral carries out the plan action"):
        referral = Referral.objects.get(person=person)
        assert referral.plan_action is not None
        assert referral.plan_action.text == "English classes at the college"
    referral_url = f"/referrals/{referral.pk}/"

    # Lena, at the college, accepts, starts and completes it.
    _sign_out(page)
    sign_in(users["lena"])
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Referrals received"
    ).click()
    page.get_by_role("row").filter(has_text=CLIENT).get_by_role("link").click()
    expect(page.get_by_text(CLIENT).first).to_be_visible()
    for button in ("Accept", "They have started", "Completed"):
        page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
    expect(page.get_by_text(CLIENT)).to_have_count(0)
    assert page.goto(referral_url).status == 404
    assert page.goto(f"/people/{person.pk}/").status == 404

    # Amira sees the loop closed on the plan, linking to the referral.
    _sign_out(page)
    sign_in(users["amira"])
    page.goto(plan_url)
    closed = action.get_by_role("link", name="Referral completed")
    expect(closed).to_be_visible()
    assert closed.get_attribute("href") == referral_url
