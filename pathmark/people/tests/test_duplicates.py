"""Duplicates: shown before a registration is saved, decided ("not the same person",
remembered) or merged into one record in one audited transaction, leaving a tombstone."""

from datetime import date

import pytest

from pathmark.assessments.models import Assessment
from pathmark.audit.models import AuditEvent
from pathmark.journeys.models import JourneyTrend
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services
from pathmark.people.models import Consent, DuplicateFlag, Person
from pathmark.people.selectors import possible_duplicates
from pathmark.plans.models import Plan
from pathmark.plans.tests.conftest import PlanFactory
from pathmark.testing import PersonFactory, assert_disallowed, client_for, run_assessment

from .test_people import count_people, registration_data


def reload(person: Person) -> Person:
    with system_scope("test"):
        return Person.objects.get(pk=person.pk)


@pytest.fixture
def existing(world):  # type: ignore[no-untyped-def]
    return PersonFactory(
        organisation=world.org_a,
        name="Amal Existing",
        date_of_birth=date(1990, 4, 12),
        phone="07700 900111",
        email="amal@example.org",
    )


def test_duplicates_are_shown_before_anything_is_saved(world, existing):
    before = count_people()
    response = client_for(world.a_caseworker).post(
        "/people/register/", registration_data(name="Amall Existing")
    )
    body = response.content.decode()
    assert response.status_code == 200 and count_people() == before
    assert "Is this someone already registered?" in body
    assert existing.reference in body and "Amal Existing" in body and "12 April 1990" in body
    assert "similar name and same date of birth" in body
    assert AuditEvent.objects.filter(action="person.duplicates_checked").count() == 1


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ({"phone": "+44 7700 900111"}, "same phone number"),
        ({"email": "AMAL@example.org"}, "same e-mail address"),
    ],
)
def test_an_identical_phone_or_email_is_a_possible_duplicate(world, existing, details, reason):
    data = registration_data(name="Someone Different", date_of_birth="1980-01-01", **details)
    body = client_for(world.a_caseworker).post("/people/register/", data).content.decode()
    assert existing.reference in body and reason in body


def test_not_the_same_person_registers_and_is_remembered(world, existing):
    client = client_for(world.a_caseworker)
    first = client.post("/people/register/", registration_data(name="Amal Existing"))
    signature = first.context["signature"]
    data = registration_data(
        name="Amal Existing", checked=signature, shown=[existing.pk], decision="distinct"
    )
    response = client.post("/people/register/", data, follow=True)
    assert "Possible duplicates" not in response.content.decode()
    new = response.context["person"]
    with system_scope("test"):
        flag = DuplicateFlag.objects.get(person=new)
        assert (
            flag.outcome == "distinct" and flag.resolved and flag.resolved_by == world.a_caseworker
        )
    with organisation_scope(organisation_id=world.org_a.pk):
        again = possible_duplicates(
            name="Amal Existing", date_of_birth=date(1990, 4, 12), exclude_id=new.pk
        )
    assert again == []


def test_changed_details_are_checked_again(world, existing):
    client = client_for(world.a_caseworker)
    signature = client.post("/people/register/", registration_data(name="Amal Existing")).context[
        "signature"
    ]
    data = registration_data(name="Amal Existing", phone="07700 900111", checked=signature)
    data["decision"] = "distinct"
    body = client.post("/people/register/", data).content.decode()
    assert "Is this someone already registered?" in body


def test_not_sure_registers_with_an_open_flag_that_can_be_dismissed(world, existing):
    client = client_for(world.a_caseworker)
    signature = client.post("/people/register/", registration_data(name="Amal Existing")).context[
        "signature"
    ]
    data = registration_data(
        name="Amal Existing", checked=signature, shown=[existing.pk], decision="unsure"
    )
    response = client.post("/people/register/", data, follow=True)
    body = response.content.decode()
    new = response.context["person"]
    assert "Possible duplicates" in body and existing.reference in body
    with system_scope("test"):
        flag = DuplicateFlag.objects.get(person=new)
    client.post(f"/people/{new.pk}/duplicates/{flag.pk}/not-the-same/")
    assert "Possible duplicates" not in client.get(f"/people/{new.pk}/").content.decode()
    assert "Possible duplicates" not in client.get(f"/people/{existing.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="person.duplicate_dismissed").count() == 1


def merge(world, kept, merged):  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=world.org_a.pk):
        return services.merge_people(
            by=world.a_caseworker,
            organisation=world.org_a,
            kept=kept,
            merged=merged,
            reason="registered_twice",
        )


def test_merge_moves_everything_to_the_kept_record_and_leaves_a_tombstone(world, existing):
    twin = PersonFactory(
        organisation=world.org_a, name="Amal Existing", date_of_birth=date(1990, 4, 12), phone=""
    )
    with system_scope("test"):
        twin.address = "1 Example Street"
        twin.save()
    housemate = PersonFactory(organisation=world.org_a, name="House Mate")
    with organisation_scope(organisation_id=world.org_a.pk):
        services.link_household(
            by=world.a_caseworker, organisation=world.org_a, person=twin, other=housemate
        )
    run_assessment(world.a_caseworker, world.org_a, existing, assessed_on=date(2025, 1, 1))
    run_assessment(world.a_caseworker, world.org_a, twin, assessed_on=date(2025, 6, 1))
    plan = PlanFactory(person=twin)
    result = merge(world, existing, twin)
    assert result.moved["assessments"] == 1 and result.moved["consents"] == 1
    assert result.moved["plans"] == 1
    kept, tombstone = reload(existing), reload(twin)
    assert (
        kept.address == "1 Example Street" and kept.household_id == reload(housemate).household_id
    )
    assert tombstone.status == "merged" and tombstone.merged_into_id == kept.pk
    assert tombstone.name == "" and tombstone.address == "" and tombstone.name_key == ""
    with system_scope("test"):
        assert Assessment.objects.filter(person=kept).count() == 2
        assert Consent.objects.filter(person=kept).count() == 2
        assert JourneyTrend.objects.filter(person=kept).get().assessments == 2
        assert not JourneyTrend.objects.filter(person=tombstone).exists()
        assert Plan.objects.get(pk=plan.pk).person_id == kept.pk
    event = AuditEvent.objects.get(action="person.merged")
    assert event.person_id == kept.pk and event.extra["merged"] == twin.pk
    assert "Amal" not in str(event.extra)


def test_a_merged_reference_and_link_lead_to_the_kept_record(world, existing):
    twin = PersonFactory(organisation=world.org_a, name="Amal Twin")
    merge(world, existing, twin)
    client = client_for(world.a_caseworker)
    assert client.get(f"/people/{twin.pk}/")["Location"] == f"/people/{existing.pk}/"
    body = client.post("/people/", {"q": twin.reference}, follow=True).content.decode()
    assert existing.reference in body and "Amal Existing" in body
    assert "Amal Twin" not in client.post("/people/", {"q": "Amal"}, follow=True).content.decode()


def test_the_merge_page_merges_with_a_reason(world, existing):
    twin = PersonFactory(organisation=world.org_a, name="Amal Twin")
    client = client_for(world.a_caseworker)
    page = client.get(f"/people/{existing.pk}/merge/{twin.pk}/").content.decode()
    assert "Amal Twin" in page and "Amal Existing" in page
    refused = client.post(f"/people/{existing.pk}/merge/{twin.pk}/", {"keep": twin.pk})
    assert refused.status_code == 200 and reload(existing).status == "active"
    client.post(
        f"/people/{existing.pk}/merge/{twin.pk}/", {"keep": twin.pk, "reason": "imported_twice"}
    )
    assert reload(existing).merged_into_id == twin.pk
    assert AuditEvent.objects.get(action="person.merged").extra["reason"] == "imported_twice"


def test_the_audit_history_of_a_merged_record_is_the_kept_persons(world, existing):
    from pathmark.privacy import services as privacy

    twin = PersonFactory(organisation=world.org_a, name="Amal Twin")
    client_for(world.a_caseworker).get(f"/people/{twin.pk}/")
    merge(world, existing, twin)
    with organisation_scope(organisation_id=world.org_a.pk):
        copy = privacy.export_personal_data(
            by=world.a_manager, organisation=world.org_a, person=existing, format="json"
        )
    audit = dict((provider.key, rows) for provider, rows in copy.sections)["audit.entries"]
    assert "person.viewed" in [row["action"] for row in audit]


def test_another_organisations_record_cannot_be_merged(world, existing):
    elsewhere = PersonFactory(organisation=world.org_b, name="Amal Existing")
    assert_disallowed(
        f"/people/{existing.pk}/merge/{elsewhere.pk}/", [world.a_caseworker], secret="Amal"
    )
    assert_disallowed(
        f"/people/{existing.pk}/merge/{elsewhere.pk}/",
        [world.b_caseworker, world.members["refugee-charity"]["analyst"]],
    )
    with pytest.raises(Person.DoesNotExist):
        merge(world, existing, elsewhere)
