"""Restriction of processing: a frozen record is kept and readable, but not changed or
assessed, until the restriction is lifted; both steps are audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pathmark.assessments import services as assessment_services
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope
from pathmark.people.models import Person
from pathmark.testing import assert_disallowed, client_for

from .conftest import SECRETS, reload_person


def restrict(world, person) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/restrict/", {"ground": "accuracy"}
    )
    assert response.status_code == 302


def test_restriction_is_a_state_and_is_audited(world, person):
    restrict(world, person)
    stored = reload_person(person)
    assert stored.status == Person.Status.RESTRICTED and stored.restricted_at is not None
    event = AuditEvent.objects.get(action="person.restricted")
    assert event.person_id == person.pk and event.extra == {"ground": "accuracy"}


def test_restriction_blocks_new_assessments(world, person):
    restrict(world, person)
    with organisation_scope(organisation_id=world.org_a.pk), pytest.raises(ValidationError):
        assessment_services.start_assessment(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=reload_person(person),
            instrument_slug="integration-journey",
            mode="caseworker_led",
            language="en",
            assessed_on=date(2025, 6, 1),
        )


def test_the_assessment_pages_say_the_record_is_restricted_before_any_answer(world, person):
    restrict(world, person)
    client = client_for(world.a_caseworker)
    response = client.get(f"/assessments/person/{person.pk}/start/", follow=True)
    assert response.redirect_chain[-1][0] == f"/people/{person.pk}/"
    assert "no assessment can be started or changed" in response.content.decode()


def test_restriction_blocks_edits(world, person):
    restrict(world, person)
    client_for(world.a_caseworker).post(
        f"/people/{person.pk}/edit/", {"name": "Changed Name", "gender": "woman"}
    )
    assert reload_person(person).name == SECRETS["name"]


def test_restricted_record_can_still_be_read_and_exported(world, person):
    restrict(world, person)
    assert client_for(world.a_caseworker).get(f"/people/{person.pk}/").status_code == 200
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/export/", {"format": "json"}
    )
    assert response.status_code == 200


def test_lifting_the_restriction_makes_the_record_active_again(world, person):
    restrict(world, person)
    response = client_for(world.a_manager).post(f"/privacy/people/{person.pk}/lift-restriction/")
    assert response.status_code == 302
    stored = reload_person(person)
    assert stored.status == Person.Status.ACTIVE and stored.restricted_at is None
    assert AuditEvent.objects.filter(action="person.restriction_lifted").count() == 1


def test_restricting_twice_is_refused_with_a_message(world, person):
    restrict(world, person)
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/restrict/", {"ground": "objection"}, follow=True
    )
    assert "already restricted" in response.content.decode()
    assert AuditEvent.objects.filter(action="person.restricted").count() == 1


def test_a_restriction_needs_a_ground(world, person):
    response = client_for(world.a_manager).post(
        f"/privacy/people/{person.pk}/restrict/", {"ground": "because"}
    )
    assert response.status_code == 200
    assert reload_person(person).status == Person.Status.ACTIVE


def test_others_may_not_restrict_or_lift(world, person):
    others = [
        *[world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER],
        *world.everyone_outside(world.org_a),
        None,
    ]
    assert_disallowed(
        f"/privacy/people/{person.pk}/restrict/", others, method="post", data={"ground": "accuracy"}
    )
    assert reload_person(person).status == Person.Status.ACTIVE
    restrict(world, person)
    assert_disallowed(f"/privacy/people/{person.pk}/lift-restriction/", others, method="post")
    assert reload_person(person).status == Person.Status.RESTRICTED
