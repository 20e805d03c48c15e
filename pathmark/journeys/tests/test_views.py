"""Journey pages: what a caseworker sees, what is audited, and who may not see it."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.journeys.models import JourneyTrend, RefreshStatus, TrendRefresh
from pathmark.journeys.trajectory import TREND_RULE
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod
from pathmark.testing import PersonFactory, assert_disallowed, client_for

from .conftest import completed


def a_journey(world, name="Journey Person", **values):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name=name, **values)
    completed(person, date(2024, 1, 10), 30)
    completed(person, date(2024, 7, 10), 40)
    completed(person, date(2025, 1, 10), 50)
    return person


def test_person_journey_shows_the_rate_in_words(world):
    person = a_journey(world)
    response = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "improving 20 points a year" in page
    assert "<svg" in page and "score-line" in page


def test_person_journey_shows_each_score_in_a_table(world):
    person = a_journey(world)
    page = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/").content.decode()
    assert "Overall: each assessment</caption>" in page
    assert "10 Jul 2024" in page


def test_person_journey_marks_when_norms_changed(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2025, 1, 10), 40)
    completed(person, date(2025, 9, 10), 45)
    page = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/").content.decode()
    assert "norm-change" in page
    assert "From 1 Apr 2025 the host norm is" in page


def test_person_journey_says_not_enough_data_for_one_assessment(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2025, 1, 10), 40)
    page = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/").content.decode()
    assert "needs more readings: one assessment so far" in page
    assert "not converging" not in page


def test_viewing_a_journey_is_audited(world):
    person = a_journey(world)
    client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/")
    event = AuditEvent.objects.get(action="journey.viewed")
    assert event.person_id == person.pk
    assert event.actor == world.a_caseworker
    assert "Journey Person" not in str(event.extra)


def test_other_organisations_and_roles_may_not_see_a_journey(world):
    person = a_journey(world, name="Secret Journey")
    url = f"/journeys/person/{person.pk}/"
    outsiders = world.everyone_outside(world.org_a)
    others_here = [
        world.member(world.org_a, role)
        for role in (Role.SERVICE_PROVIDER, Role.ANALYST, Role.ADMINISTRATOR)
    ]
    assert_disallowed(url, [None, *outsiders, *others_here], secret="Secret Journey")
    assert_disallowed(url + "summary/", [None, *outsiders, *others_here], secret="Secret Journey")


def test_a_missing_person_is_the_same_404(world):
    assert client_for(world.a_caseworker).get("/journeys/person/999999/").status_code == 404


def test_summary_uses_the_persons_preferred_language(world):
    person = a_journey(world, preferred_language="ar")
    response = client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/summary/")
    page = response.content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert "الاستقرار الاقتصادي" in page  # the instrument's Arabic domain title


def test_summary_can_be_printed_in_english_too(world):
    person = a_journey(world, preferred_language="ar")
    page = (
        client_for(world.a_caseworker)
        .get(f"/journeys/person/{person.pk}/summary/?language=en")
        .content.decode()
    )
    assert 'lang="en"' in page
    assert "Economic stability" in page
    assert "This has got better: from 30 to 50." in page


def test_summary_is_audited(world):
    person = a_journey(world)
    client_for(world.a_caseworker).get(f"/journeys/person/{person.pk}/summary/")
    assert AuditEvent.objects.filter(action="journey.summary_viewed", person_id=person.pk).exists()


def test_cohort_lists_a_journey_that_turned_down(world):
    person = PersonFactory(organisation=world.org_a, name="Falling Person")
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "Falling Person" in page


def test_cohort_leaves_out_a_journey_that_did_not_turn_down(world):
    person = PersonFactory(organisation=world.org_a, name="Rising Person")
    completed(person, date(2024, 1, 10), 40)
    completed(person, date(2025, 1, 10), 60)
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "Rising Person" not in page
    assert "No journey turned down" in page


def test_cohort_never_shows_another_organisations_people(world):
    person = PersonFactory(organisation=world.org_b, name="Other Org Person")
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "Other Org Person" not in page
    assert "Journeys of 0 people" in page


def test_cohort_is_audited_without_names(world):
    person = PersonFactory(organisation=world.org_a, name="Falling Person")
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    client_for(world.a_manager).get("/journeys/cohort/")
    event = AuditEvent.objects.get(action="journey.cohort_viewed")
    # Counts, and the ids of the people the worklist showed: never a name.
    assert event.extra == {"people": 1, "turned_down": 1, "shown": str(person.pk), "count": 1}


def test_roles_without_person_view_may_not_see_the_cohort(world):
    assert_disallowed(
        "/journeys/cohort/",
        [
            None,
            world.member(world.org_a, Role.SERVICE_PROVIDER),
            world.member(world.org_a, Role.ANALYST),
            world.member(world.org_a, Role.ADMINISTRATOR),
        ],
    )


def test_cohort_queries_do_not_grow_with_the_caseload(world):
    client = client_for(world.a_caseworker)

    def queries_for(people: int) -> int:
        for number in range(people):
            person = PersonFactory(organisation=world.org_a)
            completed(person, date(2024, 1, 10), 40 + number)
            completed(person, date(2025, 1, 10), 30)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/journeys/cohort/").status_code == 200
        return len(captured)

    client.get("/journeys/cohort/")  # warms the instrument cache
    few, many = queries_for(2), queries_for(30)
    assert few == many
    # Three rank queries per domain and the overall for the quartiles, six to check and keep
    # the summary, one for the norms from uploaded host surveys and one for the header's count
    # of pending invitations; the rest are fixed.
    assert many <= 25 + 3 * 8 + 6 + 1 + 1
    # Shown again with nothing changed: the kept figures, none of the rank queries.
    with CaptureQueriesContext(connection) as again:
        assert client.get("/journeys/cohort/").status_code == 200
    assert len(again) <= 20 < many


def test_cohort_leaves_out_a_journey_where_one_area_fell_alone(world):
    person = PersonFactory(organisation=world.org_a, name="One Area Person")
    completed(person, date(2024, 1, 10), 50)
    completed(person, date(2025, 1, 10), 50, domains={"economic-stability": 30})
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "One Area Person" not in page
    assert "No journey turned down" in page


def test_cohort_lists_a_journey_where_two_areas_fell(world):
    person = PersonFactory(organisation=world.org_a, name="Two Areas Person")
    completed(person, date(2024, 1, 10), 50)
    completed(
        person,
        date(2025, 1, 10),
        50,
        domains={"economic-stability": 40, "social-networks": 45},
    )
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "Two Areas Person" in page
    assert "Economic stability, Social networks" in page
    assert '<td class="number">\u2066-10.0\u2069</td>' in page


def test_cohort_says_the_turned_down_rule_in_words(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 50)
    page = client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    assert "the overall score fell by at least the questionnaire’s measurement error" in page
    assert "or at least 2 areas each did" in page
    assert "Integration journey: measurement error 5 points." in page


def test_a_person_shared_by_consent_is_in_the_other_caseload_until_withdrawn(world):
    person = PersonFactory(organisation=world.org_a, name="Shared Falling Person")
    with system_scope("test: consent to share"):
        consent = Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_b,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2024, 1, 1),
        )
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40, organisation=world.org_b)
    client = client_for(world.b_caseworker)
    assert "Shared Falling Person" in client.get("/journeys/cohort/").content.decode()
    with system_scope("test: withdraw"):
        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    page = client.get("/journeys/cohort/").content.decode()
    assert "Shared Falling Person" not in page
    assert "Journeys of 0 people" in page


def test_cohort_is_fresh_after_completing_an_assessment(world):
    person = PersonFactory(organisation=world.org_a, name="Fresh Person")
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    page = client_for(world.a_manager).get("/journeys/cohort/").content.decode()
    assert "Fresh Person" in page
    assert "trend-freshness" not in page


def test_cohort_says_when_assessments_have_no_figures_yet(world):
    person = PersonFactory(organisation=world.org_a, name="Unrefreshed Person")
    completed(person, date(2024, 1, 10), 60, refresh=False)  # as a restored database would
    completed(person, date(2025, 1, 10), 40, refresh=False)
    page = client_for(world.a_manager).get("/journeys/cohort/").content.decode()
    assert "their figures have not been worked out yet" in page
    assert "Unrefreshed Person" not in page


def test_cohort_says_when_figures_were_worked_out_under_an_older_rule(world):
    person = PersonFactory(organisation=world.org_a)
    completed(person, date(2024, 1, 10), 60)
    with system_scope("test: trends from an older release"):
        JourneyTrend.objects.update(rule=TREND_RULE - 1)
    page = client_for(world.a_manager).get("/journeys/cohort/").content.decode()
    assert "1 journey was worked out under an older rule" in page


def test_cohort_says_when_a_refresh_is_running_or_waiting(world):
    TrendRefresh.objects.create(organisation=world.org_a, reason="test", rebuild=True)
    TrendRefresh.objects.create(
        organisation=None, reason="test", status=RefreshStatus.RUNNING, total=400, done=100
    )
    TrendRefresh.objects.create(organisation=world.org_b, reason="not ours", rebuild=True)
    page = client_for(world.a_manager).get("/journeys/cohort/").content.decode()
    assert page.count("A refresh of the figures is waiting to start") == 1
    assert "The figures are being refreshed: 100 of 400 people done." in page


def test_cohort_says_when_the_last_refresh_failed(world):
    TrendRefresh.objects.create(
        organisation=world.org_a,
        reason="test",
        status=RefreshStatus.FAILED,
        finished_at=timezone.now(),
    )
    page = client_for(world.a_manager).get("/journeys/cohort/").content.decode()
    assert "The last refresh of these figures failed" in page


def test_every_member_may_read_the_host_norms(world):
    for role in Role.values:
        response = client_for(world.member(world.org_c, role)).get("/journeys/norms/")
        assert response.status_code == 200
        assert "Illustrative" in response.content.decode()


def test_anonymous_visitors_may_not_read_the_host_norms(world):
    assert_disallowed("/journeys/norms/", [None])
