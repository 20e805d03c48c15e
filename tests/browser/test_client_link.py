"""A client answers their own assessment on a 360 px phone, in Arabic, from the link the
caseworker showed as a QR code; a second use of the link is refused; the caseworker then
finds a self-completed draft to go through with them."""

import re

import pytest
from playwright.sync_api import expect

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.organisations.scoping import system_scope
from pathmark.testing import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_client_completes_a_self_assessment_on_a_phone_in_arabic(
    browser, page, live_server, sign_in, world
):
    person = PersonFactory(
        organisation=world.org_a, name="Hala Quillmarsh", preferred_language="ar"
    )
    sign_in(world.a_caseworker)
    page.goto(f"/people/{person.pk}/")
    page.get_by_text("Send them a link to answer on their own phone").click()
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("img", name="QR code of the link")).to_be_visible()
    url = page.get_by_label("The link, if they cannot scan the code").input_value()
    assert re.search(r"/self/c/[\w-]{43}/$", url)

    # The client's own phone: no account, no cookies of the caseworker's.
    phone = browser.new_context(viewport=PHONE, locale="ar", is_mobile=True, has_touch=True)
    client = phone.new_page()
    client.set_default_timeout(10_000)
    client.goto(url)
    expect(client.locator("html")).to_have_attribute("dir", "rtl")
    expect(client.locator("html")).to_have_attribute("lang", "ar")
    assert client.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The first question is on the first screen.
    first = client.locator("fieldset.question").first
    assert first.bounding_box()["y"] < PHONE["height"]
    # The same link open in a second tab, as when it was tapped twice.
    second = phone.new_page()
    second.goto(url)
    # Answer "أوافق" (agree) where offered, else the first choice, then send.
    for question in client.locator("fieldset.question").all():
        agree = question.get_by_label("أوافق", exact=True)
        (agree if agree.count() else question.locator("input[type=radio]").first).check()
    client.get_by_role("button", name="أرسل إجاباتي").click()
    expect(client.get_by_role("status")).to_contain_text("شكرًا")
    expect(client.locator("main form")).to_have_count(0)

    # A second use of the link is refused: sending the other tab's answers...
    second.locator("fieldset.question").first.locator("input[type=radio]").first.check()
    second.get_by_role("button", name="أرسل إجاباتي").click()
    expect(second.get_by_role("alert")).to_contain_text("أُرسلت إجاباتك")
    # ...and opening the link again shows the journey, with nothing to send.
    client.goto(url)
    expect(client.locator("main form")).to_have_count(0)
    expect(client.locator("article.reflection")).to_have_attribute("dir", "rtl")
    phone.close()

    with system_scope("test"):
        (draft,) = Assessment.objects.filter(person=person)
    assert (draft.mode, draft.status, draft.language) == (
        AssessmentMode.SELF_COMPLETED,
        AssessmentStatus.DRAFT,
        "ar",
    )
    page.goto("/")
    expect(page.get_by_role("table").filter(has_text="Hala Quillmarsh")).to_contain_text(
        "Self-completed"
    )
