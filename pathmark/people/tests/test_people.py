"""Registering, finding, viewing and editing people, each under the organisation scope."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services
from pathmark.people.models import Consent, ConsentKind, DuplicateFlag, Person
from pathmark.testing import PersonFactory, assert_disallowed, client_for


def registration_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "consent_given": "on",
        "consent_method": "interpreter",
        "consent_date": "2025-06-01",
        "consent_purpose": "Hold and use my information to support me.",
        "name": "Amal Test",
        "date_of_birth": "1990-04-12",
        "gender": "woman",
        "preferred_language": "ar",
        "languages": ["ar", "en"],
        "country_of_origin": "SY",
        "date_of_arrival": "2023-09-01",
    }
    data.update(overrides)
    return data


def count_people() -> int:
    with system_scope("test count"):
        return Person.objects.count()


def test_caseworker_registers_person_with_consent(world):
    response = client_for(world.a_caseworker).post("/people/register/", registration_data())
    assert response.status_code == 302
    with organisation_scope(organisation_id=world.org_a.pk):
        person = Person.objects.get()
        consent = Consent.objects.get(person=person)
    assert person.organisation == world.org_a
    assert person.age_band == "31-45"
    assert consent.kind == ConsentKind.PROCESSING and consent.method == "interpreter"
    event = AuditEvent.objects.get(action="person.registered")
    assert event.person_id == person.pk and event.actor == world.a_caseworker
    assert "Amal" not in str(event.extra)


def test_registration_without_consent_names_the_field_and_writes_nothing(world):
    response = client_for(world.a_caseworker).post(
        "/people/register/", registration_data(consent_given="")
    )
    assert response.status_code == 200
    assert "You must record the person&#x27;s consent" in response.content.decode()
    assert count_people() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date_of_birth",
            (date.today() + timedelta(days=2)).isoformat(),
            "cannot be in the future",
        ),
        ("date_of_birth", "1850-01-01", "must be after 1900"),
        ("date_of_arrival", "1980-01-01", "cannot be before the date of birth"),
        ("country_of_origin", "QQ", "Select a valid choice"),
        ("name", "", "Name or pseudonym is required"),
        ("email", "not-an-email", "Enter a valid email address"),
    ],
)
def test_bad_registration_input_is_refused_with_the_field_named(world, field, value, message):
    response = client_for(world.a_caseworker).post(
        "/people/register/", registration_data(**{field: value})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'href="#id_{field}"' in body
    assert count_people() == 0


def test_organisation_field_in_a_form_is_ignored(world):
    client_for(world.a_caseworker).post(
        "/people/register/", registration_data(organisation=world.org_b.pk, status="erased")
    )
    with system_scope("test"):
        person = Person.objects.get()
    assert person.organisation == world.org_a and person.status == "active"


def test_service_refuses_fields_a_caseworker_may_not_set(world):
    consent = services.ConsentGiven(purpose="x", method="in_person", given_on=date(2025, 1, 1))
    with organisation_scope(organisation_id=world.org_a.pk), pytest.raises(PermissionDenied):
        services.register_person(
            by=world.a_caseworker,
            organisation=world.org_a,
            values={"name": "X", "organisation_id": world.org_b.pk},
            consent=consent,
        )


def test_possible_duplicate_is_shown_before_registration_is_saved(world):
    PersonFactory(organisation=world.org_a, name="Amal Test", date_of_birth=date(1990, 4, 12))
    before = count_people()
    response = client_for(world.a_caseworker).post(
        "/people/register/", registration_data(name="  amal   TEST "), follow=True
    )
    assert "Is this someone already registered?" in response.content.decode()
    assert count_people() == before
    with system_scope("test"):
        assert DuplicateFlag.objects.count() == 0


def test_duplicates_are_not_looked_for_in_other_organisations(world):
    PersonFactory(organisation=world.org_b, name="Amal Test", date_of_birth=date(1990, 4, 12))
    client_for(world.a_caseworker).post("/people/register/", registration_data())
    with system_scope("test"):
        assert DuplicateFlag.objects.count() == 0


def test_list_shows_only_own_people_and_is_audited(world):
    PersonFactory(organisation=world.org_a, name="Visible Person")
    PersonFactory(organisation=world.org_b, name="Hidden Person")
    body = client_for(world.a_caseworker).get("/people/").content.decode()
    assert "Visible Person" in body and "Hidden Person" not in body
    assert AuditEvent.objects.filter(action="person.listed", actor=world.a_caseworker).count() == 1


def test_search_by_name_and_reference(world):
    target = PersonFactory(organisation=world.org_a, name="Zainab Example")
    PersonFactory(organisation=world.org_a, name="Other Person")
    client = client_for(world.a_caseworker)
    response = client.post("/people/", {"q": "zainab"}, follow=True)
    assert (
        "Zainab Example" in response.content.decode()
        and "Other Person" not in response.content.decode()
    )
    assert "zainab" not in response.redirect_chain[-1][0]
    body = client.post("/people/", {"q": target.reference}, follow=True).content.decode()
    assert "Zainab Example" in body and "Other Person" not in body
    body = client.get("/people/", {"clear": "1"}, follow=True).content.decode()
    assert "Other Person" in body


def test_search_by_bare_reference_date_of_birth_phone_and_email(world):
    target = PersonFactory(
        organisation=world.org_a,
        name="Hala Example",
        date_of_birth=date(1988, 3, 9),
        phone="07700 900123",
        email="hala@example.org",
    )
    PersonFactory(organisation=world.org_a, name="Other Person", date_of_birth=date(1990, 1, 1))
    client = client_for(world.a_caseworker)
    for query in (
        f"{target.pk:06d}",
        target.reference.lower(),
        "1988-03-09",
        "09/03/1988",
        "07700900123",
        "HALA@example.org",
    ):
        body = client.post("/people/", {"q": query}, follow=True).content.decode()
        assert "Hala Example" in body and "Other Person" not in body, query
    body = client.post("/people/", {"q": "31/02/1988"}, follow=True).content.decode()
    assert "Hala Example" not in body


def test_search_results_are_a_get_addressed_by_a_short_lived_token(world, monkeypatch):
    from pathmark.people import views

    for number in range(30):
        PersonFactory(organisation=world.org_a, name=f"Yusuf {number:02d}")
    PersonFactory(organisation=world.org_a, name="Other Person")
    client = client_for(world.a_caseworker)
    response = client.post("/people/", {"q": "yusuf"})
    url = response["Location"]
    assert url.startswith("/people/?search=") and "yusuf" not in url.lower()
    first = client.get(url).content.decode()
    assert "30 people" in first and "Other Person" not in first
    assert url.split("=", 1)[1] + "&amp;page=2" in first
    second = client.get(url + "&page=2").content.decode()
    assert "Yusuf 29" in second and "Other Person" not in second
    # Someone else's session does not know the token; a guessed or expired one asks again.
    stranger = client_for(world.a_caseworker).get(url, follow=True)
    assert "That search has expired" in stranger.content.decode()
    assert "Other Person" in client.get("/people/?search=guessed", follow=True).content.decode()
    monkeypatch.setattr(views, "SEARCH_LIFETIME_SECONDS", 0)
    assert client.get(url)["Location"] == "/people/"


def test_list_is_paginated(world):
    for number in range(30):
        PersonFactory(organisation=world.org_a, name=f"Person {number:02d}")
    client = client_for(world.a_caseworker)
    assert "Page 1 of 2" in client.get("/people/").content.decode()
    assert "Person 29" in client.get("/people/", {"page": 2}).content.decode()


def test_person_page_is_audited_as_a_read(world):
    person = PersonFactory(organisation=world.org_a)
    assert client_for(world.a_caseworker).get(f"/people/{person.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="person.viewed", person_id=person.pk).count() == 1


def test_other_organisations_and_other_roles_may_not_see_a_person(world):
    person = PersonFactory(organisation=world.org_a, name="Secret Name")
    outsiders = [None, *world.everyone_outside(world.org_a)]
    outsiders += [world.member(world.org_a, role) for role in (Role.ANALYST, Role.SERVICE_PROVIDER)]
    for url in (
        f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/",
        f"/people/{person.pk}/consent/",
    ):
        assert_disallowed(url, outsiders, secret="Secret Name")
    for user in world.everyone_outside(world.org_a):
        assert "Secret Name" not in client_for(user).get("/people/").content.decode()


def test_missing_and_foreign_records_get_the_same_404(world):
    foreign = PersonFactory(organisation=world.org_b)
    client = client_for(world.a_caseworker)
    missing = client.get("/people/999999/")
    hidden = client.get(f"/people/{foreign.pk}/")
    assert missing.status_code == hidden.status_code == 404

    def without_tokens(body: bytes) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())

    assert without_tokens(missing.content) == without_tokens(hidden.content)


def test_shared_person_is_read_only_for_the_other_organisation(world, system):
    person = PersonFactory(organisation=world.org_a)
    Consent.objects.create(
        person=person,
        kind=ConsentKind.SHARE,
        shared_with=world.org_b,
        purpose="x",
        method="in_person",
        given_on=date(2025, 1, 1),
    )
    client = client_for(world.b_caseworker)
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    assert client.post(f"/people/{person.pk}/edit/", {"name": "Changed"}).status_code == 404


def test_edit_changes_details_and_audits_field_names_only(world):
    person = PersonFactory(organisation=world.org_a, name="Old Name")
    response = client_for(world.a_caseworker).post(
        f"/people/{person.pk}/edit/", {"name": "New Name", "gender": "woman", "languages": ["ar"]}
    )
    assert response.status_code == 302, response.context["form"].errors
    with system_scope("test"):
        person.refresh_from_db()
    assert person.name == "New Name"
    event = AuditEvent.objects.get(action="person.updated")
    assert "name" in event.extra["fields"] and "New Name" not in str(event.extra)


def test_consent_cannot_be_shared_with_an_unknown_organisation(world):
    person = PersonFactory(organisation=world.org_a)
    response = client_for(world.a_caseworker).post(
        f"/people/{person.pk}/consent/",
        {
            "kind": "share",
            "shared_with": 987654,
            "purpose": "x",
            "method": "in_person",
            "given_on": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
