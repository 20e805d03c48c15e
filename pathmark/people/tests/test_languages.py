"""Recording the languages a person speaks: the common ones ticked, any other typed by name
or code, including languages with no two-letter code (Dari, Sorani, Hazaragi)."""

from __future__ import annotations

from pathmark.organisations.scoping import system_scope
from pathmark.people.forms import PersonForm
from pathmark.people.models import Person
from pathmark.people.reference import language_code_for, language_name
from pathmark.testing import PersonFactory, client_for

from .test_people import registration_data


def _registered(world, **overrides):  # type: ignore[no-untyped-def]
    response = client_for(world.a_caseworker).post(
        "/people/register/", registration_data(**overrides)
    )
    return response


def test_other_languages_are_recorded_by_name_or_code(world):
    response = _registered(
        world, languages=["ar"], other_languages="Dari, hazaragi; ckb", preferred_language="prs"
    )
    assert response.status_code == 302
    with system_scope("test"):
        person = Person.objects.get()
    assert person.languages == ["ar", "prs", "haz", "ckb"]
    assert person.preferred_language == "prs"


def test_an_unknown_language_is_named_in_the_error_and_nothing_is_written(world):
    response = _registered(world, other_languages="Dari, Elvish")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not a language we know: Elvish." in body
    with system_scope("test"):
        assert not Person.objects.exists()


def test_editing_ticks_the_common_languages_and_writes_out_the_others(world):
    person = PersonFactory(organisation=world.org_a, languages=["ar", "prs", "nus"])
    initial = PersonForm.initial_for(person)
    assert initial["languages"] == ["ar", "prs"]
    assert initial["other_languages"] == "Nuer"


def test_language_names_come_in_the_readers_language(settings):
    from django.utils import translation

    with translation.override("ar"):
        assert language_name("prs") != "Dari"
    assert language_name("prs") == "Dari"
    assert language_code_for("Kurdish (Sorani)") == "ckb"
    assert language_code_for("nothing like it") is None


def test_a_language_is_found_by_the_qualifier_of_its_name(world):
    assert language_code_for("Kurmanji") == "kmr"
    assert language_code_for("sorani") == "ckb"
    response = _registered(world, other_languages="Kurmanji")
    assert response.status_code == 302
    with system_scope("test"):
        assert "kmr" in Person.objects.get().languages


def test_country_of_origin_may_be_stateless_or_unknown(world):
    from pathmark.people.reference import COUNTRY_CODES, country_choices, country_name

    codes = [code for code, _ in country_choices()]
    assert codes[:2] == ["XX", "ZZ"] and "XX" in COUNTRY_CODES
    assert country_name("XX") == "Stateless"
    assert _registered(world, country_of_origin="XX").status_code == 302
    with system_scope("test"):
        assert Person.objects.get().country_of_origin == "XX"
