"""Factories and fixtures for assessment tests: a stored instrument version, people in two
organisations, and answer sets that fill in a whole instrument."""

from __future__ import annotations

from datetime import date

import factory
import pytest

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.instruments.definition import Instrument
from pathmark.instruments.models import InstrumentVersion
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.testing import PersonFactory, SystemScopedFactory, World

JOURNEY = "integration-journey"


class AssessmentFactory(SystemScopedFactory):
    class Meta:
        model = Assessment

    person = factory.LazyFunction(PersonFactory)
    organisation = factory.LazyAttribute(lambda a: a.person.organisation)
    instrument_version = factory.LazyFunction(lambda: instrument_version_for(JOURNEY))
    status = AssessmentStatus.DRAFT
    mode = AssessmentMode.CASEWORKER_LED
    language = "en"
    assessed_on = date(2025, 6, 1)


def answers_for(instrument: Instrument, value: str = "agree") -> dict[str, object]:
    """The same option for every item that has it (every item of the built-in journey)."""
    return {item.id: value for item in instrument.items if item.option(value) is not None}


def share(person: Person, organisation) -> Consent:  # type: ignore[no-untyped-def]
    with system_scope("test: share a person"):
        return Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose="Joint support",
            method=ConsentMethod.IN_PERSON,
            given_on=date(2025, 1, 1),
        )


@pytest.fixture
def journey(db) -> InstrumentVersion:  # type: ignore[no-untyped-def]
    return instrument_version_for(JOURNEY)


@pytest.fixture
def journey_instrument(journey: InstrumentVersion) -> Instrument:
    return instrument_of(journey)


@pytest.fixture
def person_a(world: World) -> Person:
    return PersonFactory(
        organisation=world.org_a, name="Amira Haddad", date_of_birth=date(1990, 3, 4)
    )


@pytest.fixture
def person_b(world: World) -> Person:
    return PersonFactory(
        organisation=world.org_b, name="Zeynep Kaya", date_of_birth=date(1985, 7, 8)
    )


def reload(assessment: Assessment) -> Assessment:
    """The stored row as it is now, read outside any request's scope."""
    with system_scope("test: read back"):
        return Assessment.objects.get(pk=assessment.pk)
