"""The start page shows a caseworker their organisation's work, and nothing of others'."""

from datetime import date

from pathmark.assessments.services import start_assessment
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope
from pathmark.testing import PersonFactory, client_for


def start_draft(world, person, organisation, user):  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=organisation.pk):
        return start_assessment(
            by=user,
            organisation=organisation,
            person=person,
            instrument_slug="integration-journey",
            mode="caseworker_led",
            language="en",
            assessed_on=date(2025, 5, 1),
        )


def test_home_lists_own_drafts_and_recent_people_and_audits_it(world):
    mine = PersonFactory(organisation=world.org_a, name="Draft Owner Person")
    start_draft(world, mine, world.org_a, world.a_caseworker)
    body = client_for(world.a_caseworker).get("/").content.decode()
    assert "Assessments to finish" in body and "Draft Owner Person" in body
    assert AuditEvent.objects.filter(action="person.listed", extra__page="home").exists()


def test_home_shows_nothing_of_other_organisations(world):
    theirs = PersonFactory(organisation=world.org_b, name="Other Org Draft Person")
    start_draft(world, theirs, world.org_b, world.b_caseworker)
    body = client_for(world.a_caseworker).get("/").content.decode()
    assert "Other Org Draft Person" not in body


def test_analyst_home_shows_no_people(world):
    PersonFactory(organisation=world.org_a, name="Not For Analysts")
    body = client_for(world.member(world.org_a, Role.ANALYST)).get("/").content.decode()
    assert "Not For Analysts" not in body


def test_analyst_home_links_to_the_reports_and_only_to_pages_that_exist(world):
    analyst = client_for(world.member(world.org_a, Role.ANALYST))
    body = analyst.get("/").content.decode()
    assert "Your reports" in body
    for url in ("/reports/needs/", "/reports/outcomes/", "/journeys/norms/"):
        assert url in body
        assert analyst.get(url).status_code == 200


def test_service_provider_home_counts_the_referrals_waiting_and_names_no_one(world):
    from pathmark.referrals.tests.conftest import SECRET_NAME, make_service, move, refer
    from pathmark.testing import PersonFactory

    provider = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER))
    # An organisation that runs no service has no referrals section to show.
    assert "Referrals to your services" not in provider.get("/").content.decode()
    service = make_service(world.org_a)
    body = provider.get("/").content.decode()
    assert "No open referrals to your services just now." in body
    assert "/referrals/inbox/" in body and "being built" not in body
    people = [
        PersonFactory(organisation=world.org_b, name=f"{SECRET_NAME} {n}", languages=["ar"])
        for n in range(3)
    ]
    referrals = [refer(world, person, service) for person in people]
    move(world, world.org_a, referrals[0], "accepted")
    body = provider.get("/").content.decode()
    assert "2 referrals waiting for your answer" in body
    assert "1 accepted, not started yet" in body
    assert SECRET_NAME not in body


def test_caseworker_home_does_not_promise_reports(world):
    body = client_for(world.a_caseworker).get("/").content.decode()
    assert "Referrals to your services" not in body
