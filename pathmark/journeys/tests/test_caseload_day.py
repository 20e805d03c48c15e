"""A key worker's day: "My caseload" (who to reassess first), choosing a person's key worker,
and marking a journey on the worklist reviewed until it falls again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from pathmark.audit.idsets import expand
from pathmark.audit.models import AuditEvent
from pathmark.journeys.models import WorklistReview
from pathmark.journeys.selectors import Due, add_months, due_state
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.testing import MembershipFactory, PersonFactory, UserFactory, client_for

from .conftest import completed


def falling(world, name, organisation=None):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=organisation or world.org_a, name=name)
    completed(person, date(2024, 1, 10), 60)
    completed(person, date(2025, 1, 10), 40)
    return person


# --- Due dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 15), 6, date(2026, 2, 15)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 3, 31), 12, date(2026, 3, 31)),
    ],
)
def test_add_months_keeps_the_day_or_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_due_state_in_order_of_urgency():
    today = date(2026, 6, 1)
    assert due_state(None, today=today, months=6) == (None, Due.NEVER)
    assert due_state(date(2025, 11, 1), today=today, months=6) == (date(2026, 5, 1), Due.OVERDUE)
    assert due_state(date(2025, 12, 20), today=today, months=6) == (date(2026, 6, 20), Due.SOON)
    assert due_state(date(2026, 3, 1), today=today, months=6) == (date(2026, 9, 1), Due.LATER)


# --- My caseload ----------------------------------------------------------------------------


def test_my_caseload_lists_my_people_with_the_overdue_first(world):
    me = world.a_caseworker
    today = timezone.localdate()
    recent = PersonFactory(organisation=world.org_a, name="Recent Person", key_worker=me)
    completed(recent, today - timedelta(days=20), 50)
    overdue = PersonFactory(organisation=world.org_a, name="Overdue Person", key_worker=me)
    completed(overdue, today - timedelta(days=400), 40)
    completed(overdue, today - timedelta(days=300), 45)
    never = PersonFactory(organisation=world.org_a, name="Never Assessed", key_worker=me)
    PersonFactory(organisation=world.org_a, name="Colleague Person", key_worker=world.a_manager)
    PersonFactory(organisation=world.org_a, name="Nobody's Person")
    page = client_for(me).get("/journeys/mine/").content.decode()
    assert "Colleague Person" not in page
    assert "Nobody" not in page
    order = [page.index(name) for name in ("Never Assessed", "Overdue Person", "Recent Person")]
    assert order == sorted(order)
    assert "Reassessment overdue since" in page
    assert "Not assessed yet" in page
    assert "You are key worker of 3 people" in page
    # Integratedness from the stored trends, and the stage of the latest assessment.
    assert "points a year against the host norm" in page
    assert "needs a second assessment" in page
    event = AuditEvent.objects.filter(action="journey.caseload_viewed").get()
    assert expand(event.extra["shown"]) == {recent.pk, overdue.pk, never.pk}


def test_my_caseload_leaves_out_restricted_and_other_organisations_people(world):
    PersonFactory(
        organisation=world.org_a,
        name="Restricted Person",
        key_worker=world.a_caseworker,
        status=Person.Status.RESTRICTED,
    )
    # A user who is a member of two organisations sees, in each, only that one's people.
    MembershipFactory(user=world.a_caseworker, organisation=world.org_b, role=Role.CASEWORKER)
    PersonFactory(organisation=world.org_b, name="Other Org Person", key_worker=world.a_caseworker)
    client = client_for(world.a_caseworker)
    session = client.session
    session["organisation_id"] = world.org_a.pk
    session.save()
    page = client.get("/journeys/mine/").content.decode()
    assert "Restricted Person" not in page
    assert "Other Org Person" not in page
    assert "Nobody has you as key worker yet" in page


def test_my_caseload_needs_a_role_that_sees_people(world):
    for role in (Role.SERVICE_PROVIDER, Role.ANALYST, Role.ADMINISTRATOR):
        response = client_for(world.member(world.org_a, role)).get("/journeys/mine/")
        assert response.status_code == 404


def test_my_caseload_pages_of_fifty(world):
    me = world.a_caseworker
    for number in range(55):
        PersonFactory(organisation=world.org_a, name=f"Person {number:02d}", key_worker=me)
    client = client_for(me)
    first = client.get("/journeys/mine/").content.decode()
    second = client.get("/journeys/mine/?page=2").content.decode()
    assert first.count('class="caseload-entry') == 50
    assert second.count('class="caseload-entry') == 5
    assert "Page 2 of 2" in second


# --- Choosing a key worker ------------------------------------------------------------------


def test_a_caseworker_chooses_a_key_worker_on_the_person_page(world):
    person = PersonFactory(organisation=world.org_a, name="Needs Worker")
    client = client_for(world.a_caseworker)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'name="key_worker"' in page
    response = client.post(
        f"/journeys/person/{person.pk}/key-worker/", {"key_worker": world.a_manager.pk}
    )
    assert response.status_code == 302
    with system_scope("test"):
        assert Person.objects.get(pk=person.pk).key_worker_id == world.a_manager.pk
    event = AuditEvent.objects.get(action="journey.key_worker_assigned")
    assert event.person_id == person.pk
    assert event.organisation_id == world.org_a.pk
    # And back to nobody.
    client.post(f"/journeys/person/{person.pk}/key-worker/", {"key_worker": ""})
    with system_scope("test"):
        assert Person.objects.get(pk=person.pk).key_worker_id is None


def test_a_key_worker_must_be_an_active_member_of_the_organisation(world):
    person = PersonFactory(organisation=world.org_a)
    client = client_for(world.a_caseworker)
    stranger = UserFactory(username="stranger")
    for candidate in (world.b_caseworker, stranger, world.member(world.org_a, Role.ANALYST)):
        client.post(f"/journeys/person/{person.pk}/key-worker/", {"key_worker": candidate.pk})
    with system_scope("test"):
        assert Person.objects.get(pk=person.pk).key_worker_id is None
    assert not AuditEvent.objects.filter(action="journey.key_worker_assigned").exists()


def test_only_the_registering_organisation_chooses_the_key_worker(world):
    person = PersonFactory(organisation=world.org_a, name="Shared Person")
    with system_scope("test: consent to share"):
        Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_b,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2024, 1, 1),
        )
    client = client_for(world.b_caseworker)
    assert 'name="key_worker"' not in client.get(f"/people/{person.pk}/").content.decode()
    response = client.post(
        f"/journeys/person/{person.pk}/key-worker/", {"key_worker": world.b_caseworker.pk}
    )
    assert response.status_code == 404
    for user in (world.member(world.org_a, Role.ANALYST), world.member(world.org_c, "caseworker")):
        response = client_for(user).post(
            f"/journeys/person/{person.pk}/key-worker/", {"key_worker": ""}
        )
        assert response.status_code == 404


# --- The reviewed worklist ------------------------------------------------------------------


def test_a_reviewed_journey_leaves_the_worklist_until_it_falls_again(world):
    person = falling(world, "Falling Person")
    client = client_for(world.a_caseworker)
    assert "Falling Person" in client.get("/journeys/cohort/").content.decode()
    response = client.post(
        "/journeys/cohort/reviewed/",
        {"person": person.pk, "instrument": "integration-journey", "note": "Called; housing."},
    )
    assert response.status_code == 302
    page = client.get("/journeys/cohort/").content.decode()
    assert "Marked reviewed: Falling Person leaves the worklist" in page
    assert f'href="/journeys/person/{person.pk}/"' not in page
    with system_scope("test"):
        review = WorklistReview.objects.select_related("reviewed_by").get()
    assert review.note == "Called; housing." and review.reviewed_by == world.a_caseworker
    event = AuditEvent.objects.get(action="journey.worklist_reviewed")
    assert event.person_id == person.pk
    # A later assessment that rises takes it off by itself; one that falls again brings it back.
    completed(person, date(2025, 7, 10), 20)
    assert "Falling Person" in client.get("/journeys/cohort/").content.decode()


def test_a_review_is_one_organisations_own(world):
    person = falling(world, "Shared Falling Person")
    with system_scope("test: consent to share"):
        Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=world.org_b,
            purpose="Share",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2024, 1, 1),
        )
    client_for(world.a_caseworker).post(
        "/journeys/cohort/reviewed/", {"person": person.pk, "instrument": "integration-journey"}
    )
    assert (
        "Shared Falling Person"
        not in client_for(world.a_caseworker).get("/journeys/cohort/").content.decode()
    )
    b = client_for(world.b_caseworker)
    assert "Shared Falling Person" in b.get("/journeys/cohort/").content.decode()
    b.post("/journeys/cohort/reviewed/", {"person": person.pk, "instrument": "integration-journey"})
    assert (
        f'href="/journeys/person/{person.pk}/"' not in b.get("/journeys/cohort/").content.decode()
    )


def test_a_journey_not_on_the_worklist_or_not_visible_cannot_be_marked(world):
    rising = PersonFactory(organisation=world.org_a, name="Rising Person")
    completed(rising, date(2024, 1, 10), 40)
    completed(rising, date(2025, 1, 10), 60)
    other = falling(world, "Other Org Person", organisation=world.org_b)
    client = client_for(world.a_caseworker)
    for data in (
        {"person": rising.pk, "instrument": "integration-journey"},
        {"person": other.pk, "instrument": "integration-journey"},
        {"person": "x", "instrument": "integration-journey"},
        {"person": other.pk, "instrument": "nonsense"},
    ):
        assert client.post("/journeys/cohort/reviewed/", data).status_code == 404
    with system_scope("test"):
        assert not WorklistReview.objects.exists()
    analyst = client_for(world.member(world.org_b, Role.ANALYST))
    response = analyst.post(
        "/journeys/cohort/reviewed/", {"person": other.pk, "instrument": "integration-journey"}
    )
    assert response.status_code == 404


def test_erasing_a_person_erases_the_worklist_notes_about_them(world):
    from pathmark.journeys.services import erase_trends

    person = falling(world, "Falling Person")
    client_for(world.a_caseworker).post(
        "/journeys/cohort/reviewed/",
        {"person": person.pk, "instrument": "integration-journey", "note": "private words"},
    )
    with system_scope("test"):
        erase_trends(person, by=None)
        assert not WorklistReview.objects.filter(person=person).exists()
