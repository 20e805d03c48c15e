"""Finding a person however their name or number was typed: case, accents, script, a typo."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathmark.organisations.scoping import organisation_scope
from pathmark.people import searchkeys
from pathmark.people.selectors import search_people
from pathmark.testing import PersonFactory, client_for


def found(world, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=world.org_a.pk):
        return {person.name for person in search_people(query=query)}


@pytest.fixture
def people(world):  # type: ignore[no-untyped-def]
    PersonFactory(organisation=world.org_a, name="Hala Example", phone="+44 7700 900123")
    PersonFactory(organisation=world.org_a, name="Zaïnab Ëxample")
    PersonFactory(organisation=world.org_a, name="هالة أحمد")
    PersonFactory(organisation=world.org_a, name="محمد الحسن")
    PersonFactory(organisation=world.org_a, name="Other Person", phone="07700 900999")
    PersonFactory(organisation=world.org_b, name="Hala Elsewhere", phone="07700900123")
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Halla", {"Hala Example", "هالة أحمد"}),
        ("HALA", {"Hala Example", "هالة أحمد"}),
        ("zainab example", {"Zaïnab Ëxample"}),
        ("هالة", {"Hala Example", "هالة أحمد"}),
        ("هاله", {"Hala Example", "هالة أحمد"}),
        ("Mohammed", {"محمد الحسن"}),
        ("Ahmad", {"هالة أحمد"}),
        ("Zain", {"Zaïnab Ëxample"}),
        ("Xavier", set()),
    ],
)
def test_a_name_is_found_whatever_its_case_accents_script_or_a_typo(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize("query", ["07700900123", "07700 900 123", "+44 7700 900123", "900123"])
def test_a_phone_number_is_found_however_it_is_written(people, query):
    assert found(people, query) == {"Hala Example"}


def test_search_never_reaches_another_organisations_people(people):
    body = client_for(people.a_caseworker).post("/people/", {"q": "hala"}, follow=True)
    text = body.content.decode()
    assert "Hala Example" in text and "Hala Elsewhere" not in text


def test_a_changed_name_is_found_by_its_new_spelling(world):
    from pathmark.people import services

    person = PersonFactory(
        organisation=world.org_a, name="Old Name", date_of_birth=date(1990, 1, 1)
    )
    with organisation_scope(organisation_id=world.org_a.pk):
        services.update_person(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=person,
            values={"name": "Ruqayya New", "phone": "0044 7700 900555"},
        )
    assert found(world, "Ruqaya") == {"Ruqayya New"}
    assert found(world, "07700900555") == {"Ruqayya New"}


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12))
def test_a_name_always_finds_itself_in_any_case(name):
    key = searchkeys.name_key(name.title())
    assert searchkeys.matches(searchkeys.terms(name.upper()), key)


def test_one_letter_doubled_still_matches_but_another_name_does_not():
    key = searchkeys.name_key("Hala")
    assert searchkeys.matches(searchkeys.terms("Halla"), key)
    assert not searchkeys.matches(searchkeys.terms("Omar"), key)
