"""The journey page and the caseload view on the demo partnership, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from pathmark.accounts.models import User
from pathmark.assessments.models import Assessment
from pathmark.demo.services import load_demo_partnership
from pathmark.journeys.models import JourneyTrend
from pathmark.journeys.trajectory import TREND_RULE
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import system_scope
from pathmark.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():  # type: ignore[no-untyped-def]
    """The demo partnership (fewer people than `pathmark demo`, the same generator), with
    every demo user's password set to the test password."""
    load_demo_partnership(people=60)
    Organisation.objects.update(require_two_factor=False)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    return User.objects.get(username="amira")


def someone_with_three_assessments(organisation_slug: str) -> int:
    with system_scope("test: pick a demo person"):
        counts: dict[int, int] = {}
        for person_id in Assessment.objects.filter(
            status="completed", person__organisation__slug=organisation_slug
        ).values_list("person_id", flat=True):
            counts[person_id] = counts.get(person_id, 0) + 1
    return next(pk for pk, count in sorted(counts.items()) if count >= 3)


def test_journey_page_shows_charts_words_and_tables(page, sign_in, demo):
    person_id = someone_with_three_assessments("northbridge-refugee-support")
    sign_in(demo)
    page.goto(f"/journeys/person/{person_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journey of")
    expect(page.locator(".journey-chart svg").first).to_be_visible()
    expect(page.locator(".journey-chart .score-line").first).to_be_attached()
    expect(page.locator(".journey-chart .norm-line").first).to_be_attached()
    summary = page.get_by_role("table", name="Integratedness and the gap to the host norm, by area")
    expect(summary.first).to_be_visible()
    overall = summary.first.get_by_role("row").filter(has_text="Overall")
    words = overall.get_by_role("cell").first.inner_text()
    phrases = ("gaining", "losing", "improving", "declining", "no clear change")
    assert any(phrase in words for phrase in phrases), words
    expect(page.get_by_role("table", name="Overall: each assessment")).to_be_visible()


def test_self_reflection_summary_prints_in_the_persons_language(page, sign_in, demo):
    person_id = someone_with_three_assessments("northbridge-refugee-support")
    sign_in(demo)
    page.goto(f"/journeys/person/{person_id}/")
    page.get_by_role("link", name="Self-reflection summary to print").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My integration journey")
    page.get_by_label("Print in").select_option("ar")
    page.get_by_role("button", name="Show").click()
    # The printout reads right to left in Arabic; the caseworker's page around it stays hers.
    expect(page.locator("article.reflection")).to_have_attribute("dir", "rtl")
    expect(page.locator("article.reflection h1")).to_have_text("رحلتي في الاندماج")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()
    page.get_by_role("link", name="Back to the journey").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_cohort_view_shows_the_distribution_and_the_worklist(page, sign_in, demo):
    sign_in(demo)
    page.goto("/journeys/cohort/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload journeys")
    expect(page.get_by_role("heading", name="Journeys that turned down")).to_be_visible()
    distribution = page.locator("table.distribution").first
    expect(distribution).to_be_visible()
    expect(distribution.get_by_role("row").filter(has_text="Overall")).to_be_visible()
    expect(page.get_by_text("or at least 2 areas each did")).to_be_visible()
    worklist = page.get_by_role("table", name="Worklist: journeys that turned down")
    expect(worklist).to_be_visible()
    worklist.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journey of")


def test_a_journey_from_another_organisation_is_not_found(page, sign_in, demo):
    person_id = someone_with_three_assessments("northbridge-council")
    sign_in(demo)
    response = page.goto(f"/journeys/person/{person_id}/")
    assert response.status == 404


def test_cohort_view_says_when_its_figures_are_out_of_date(page, sign_in, demo):
    with system_scope("test: trends from an older release"):
        JourneyTrend.objects.update(rule=TREND_RULE - 1)
    sign_in(demo)
    page.goto("/journeys/cohort/")
    status = page.get_by_role("status").filter(has_text="worked out under an older rule")
    expect(status).to_be_visible()
    expect(status).to_contain_text("pathmark journeys refresh")
