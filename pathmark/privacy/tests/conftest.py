"""People with recognisable personal data, a completed assessment, and helpers to age a
record and to search the whole database for a value."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from pathmark.assessments.models import Assessment
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.testing import PersonFactory, World, run_assessment

# ASCII on purpose: SQLite stores JSON with non-ASCII escaped, which a text search would miss.
SECRETS = {
    "name": "Zuhal Qarawimarker",
    "preferred_name": "Zuzumarker",
    "phone": "07700 900417",
    "email": "zuhal.marker@example.org",
    "address": "17 Markerfield Road",
    "postcode": "NB9 4ZQ",
    "external_id": "OLD-SYSTEM-41773",
    "gender_description": "Markergender",
    "household_role": "Markerparent",
}
CONSENT_PURPOSE = "Consentmarker: share with the council for housing"


@pytest.fixture
def person(world: World) -> Person:
    person = PersonFactory(
        organisation=world.org_a,
        date_of_birth=date(1988, 2, 29),
        gender="self_described",
        preferred_language="ar",
        **SECRETS,
    )
    share(person, world.org_b, purpose=CONSENT_PURPOSE)
    return person


def share(person: Person, organisation: Organisation, purpose: str = "Joint support") -> Consent:
    with system_scope("test: share a person"):
        return Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose=purpose,
            method=ConsentMethod.IN_PERSON,
            given_on=date(2025, 1, 1),
        )


@pytest.fixture
def assessment(world: World, person: Person) -> Assessment:
    return run_assessment(world.a_caseworker, world.org_a, person)


def reload_person(person: Person) -> Person:
    with system_scope("test: read back"):
        return Person.objects.get(pk=person.pk)


def reload_assessment(assessment: Assessment) -> Assessment:
    with system_scope("test: read back"):
        return Assessment.objects.get(pk=assessment.pk)


def age(person: Person, *, years: float) -> None:
    """Moves every date of contact of `person` `years` into the past."""
    then = timezone.now() - timedelta(days=round(365.25 * years))
    with system_scope("test: age a record"):
        Person.objects.filter(pk=person.pk).update(created_at=then, last_contact_at=then)
        Consent.objects.filter(person=person).update(given_on=then.date())
        Assessment.objects.filter(person=person).update(assessed_on=then.date())


def tables_containing(value: str) -> list[str]:
    """Every `table.column` of the database whose text holds `value`."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 (names from introspection)
                    f"WHERE CAST({quote(column.name)} AS TEXT) LIKE %s",
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
