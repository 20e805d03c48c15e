"""`pathmark journey`: the same figures as the page, for a machine."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pathmark.audit.models import AuditEvent
from pathmark.testing import PersonFactory

from .conftest import completed


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name="Command Person", external_id="old-7")
    completed(person, date(2024, 1, 10), 30)
    completed(person, date(2025, 1, 10), 50)
    return person


def run(*args: str) -> str:
    out = StringIO()
    call_command("journey", *args, stdout=out)
    return out.getvalue()


def test_json_gives_the_rate_per_domain_and_overall(person):
    document = json.loads(run(str(person.pk), "--json"))
    (journey,) = document["journeys"]
    assert journey["instrument"] == "integration-journey"
    assert journey["overall"]["method"] == "two_point"
    assert journey["overall"]["direction"] == "improving"
    assert journey["overall"]["integratedness_per_year"] == pytest.approx(20, abs=0.1)
    assert journey["domains"]["economic-stability"]["distance_travelled"] == 20


def test_json_never_holds_the_name(person):
    assert "Command Person" not in run(str(person.pk), "--json")


def test_a_person_can_be_named_by_organisation_and_external_id(person, world):
    document = json.loads(
        run("--organisation", world.org_a.slug, "--external-id", "old-7", "--json")
    )
    assert document["person_id"] == person.pk


def test_the_command_read_is_audited(person):
    run(str(person.pk), "--json")
    assert AuditEvent.objects.filter(action="journey.exported", person_id=person.pk).exists()


def test_an_unknown_person_fails_with_a_reason(db):
    with pytest.raises(CommandError, match="No such person"):
        run("999999")


def test_an_external_id_from_another_organisation_is_not_found(person, world):
    with pytest.raises(CommandError, match="No such person"):
        run("--organisation", world.org_b.slug, "--external-id", "old-7")


def test_giving_both_ways_of_naming_a_person_fails(person, world):
    with pytest.raises(CommandError, match="Give either"):
        run(str(person.pk), "--organisation", world.org_a.slug, "--external-id", "old-7")
