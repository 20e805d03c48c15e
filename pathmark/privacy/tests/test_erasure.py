"""Erasure: personal data gone from every table, scores kept without identity, all in one
transaction, audited without the erased data, and only by the owning organisation."""

from __future__ import annotations

import json
import re

import pytest

from pathmark.assessments.models import Assessment
from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Consent, DuplicateFlag, Person
from pathmark.privacy import registry, services
from pathmark.testing import PersonFactory, assert_disallowed, client_for, run_assessment

from .conftest import (
    CONSENT_PURPOSE,
    SECRETS,
    reload_assessment,
    reload_person,
    tables_containing,
)


def erase(world, person) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=world.org_a.pk):
        return services.erase_person(by=world.a_manager, organisation=world.org_a, person=person)


def test_erasure_leaves_no_trace_of_the_personal_data_in_any_table(world, person, assessment):
    with system_scope("test"):
        twin = PersonFactory(organisation=world.org_a, name=SECRETS["name"] + " Twin")
        DuplicateFlag.objects.create(person=twin, candidate=person, reason="same name")
    for value in [*SECRETS.values(), CONSENT_PURPOSE]:
        assert tables_containing(value), f"the test data should hold {value!r} before erasure"
    erase(world, person)
    with system_scope("test"):
        # Saved, not `update()`d, so the twin's search key forgets the name too.
        twin.name = "Someone else"
        twin.save()
    for value in [*SECRETS.values(), CONSENT_PURPOSE]:
        assert tables_containing(value) == [], f"{value!r} survived erasure"
    stored = reload_assessment(assessment)
    assert stored.answers == {} and stored.item_scores == {}


def test_erasure_blanks_the_record_and_keeps_only_coarse_groups(world, person):
    erase(world, person)
    erased = reload_person(person)
    assert erased.status == Person.Status.ERASED and erased.erased_at is not None
    assert erased.name == "" and erased.date_of_birth is None and erased.phone == ""
    assert erased.country_of_origin == "" and erased.languages == []
    assert erased.age_band == person.age_band
    assert erased.gender == "not_said"  # "described another way" could single them out


def test_aggregate_scores_survive_erasure_without_identity(world, person, assessment):
    elsewhere = run_assessment(world.b_caseworker, world.org_b, person)
    erase(world, person)
    for before in (assessment, elsewhere):
        after = reload_assessment(before)
        assert after.overall_score == before.overall_score
        assert after.domain_scores == before.domain_scores and after.stage == before.stage
        assert after.answers == {}
    with system_scope("test: a cohort report"):
        scores = Assessment.objects.filter(organisation=world.org_a).values_list(
            "overall_score", flat=True
        )
        assert list(scores) == [assessment.overall_score]


def test_erasure_deletes_drafts(world, person, assessment):
    with system_scope("test"):
        Assessment.objects.filter(pk=assessment.pk).update(status="draft", completed_at=None)
    counts = erase(world, person)
    assert counts["assessments.assessments"] == 1
    with system_scope("test"):
        assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_erasure_closes_consents_so_sharing_stops_at_once(world, person):
    assert client_for(world.b_caseworker).get(f"/people/{person.pk}/").status_code == 200
    erase(world, person)
    with system_scope("test"):
        assert not Consent.objects.filter(person=person, withdrawn_at__isnull=True).exists()
    assert client_for(world.b_caseworker).get(f"/people/{person.pk}/").status_code == 404


def test_erasure_is_audited_without_the_erased_data(world, person, assessment):
    counts = erase(world, person)
    event = AuditEvent.objects.get(action="person.erased")
    assert event.person_id == person.pk and event.actor == world.a_manager
    assert event.extra == {"reason": "request", "counts": counts}
    assert not any(secret in json.dumps(event.extra) for secret in SECRETS.values())


def test_erasure_is_all_or_nothing(world, person, assessment):
    def failing(person, *, by):  # type: ignore[no-untyped-def]
        raise RuntimeError("index unavailable")

    registry.register(
        registry.Provider(
            key="test.failing", title="x", export=list, erase=failing, erase_order=999
        )
    )
    try:
        with pytest.raises(RuntimeError):
            erase(world, person)
    finally:
        registry.unregister("test.failing")
    assert reload_person(person).name == SECRETS["name"]
    assert reload_assessment(assessment).answers == assessment.answers
    assert not AuditEvent.objects.filter(action="person.erased").exists()


def test_erased_person_disappears_from_the_list_and_their_page(world, person):
    client = client_for(world.a_caseworker)
    assert SECRETS["name"] in client.get("/people/").content.decode()
    erase(world, person)
    assert person.reference not in client.get("/people/").content.decode()
    assert client.get(f"/people/{person.pk}/").status_code == 404


def test_manager_erases_after_typing_the_reference(world, person):
    client = client_for(world.a_manager)
    url = f"/privacy/people/{person.pk}/erase/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reference": "P-000000"})
    assert response.status_code == 200 and "not this person" in response.content.decode()
    assert reload_person(person).status == Person.Status.ACTIVE
    response = client.post(url, {"reference": person.reference.lower()})
    assert response.status_code == 200 and "Why is the record erased?" in response.content.decode()
    assert reload_person(person).status == Person.Status.ACTIVE
    response = client.post(url, {"reason": "mistake", "reference": person.reference.lower()})
    assert response.status_code == 302
    assert reload_person(person).status == Person.Status.ERASED
    assert AuditEvent.objects.get(action="person.erased").extra["reason"] == "mistake"


def test_an_accidental_record_links_to_its_erasure_with_the_reason_chosen(world, person):
    twin = PersonFactory(organisation=world.org_a, name="Twin Of Someone", phone=person.phone)
    with system_scope("test"):
        DuplicateFlag.objects.create(person=twin, candidate=person, reason="same phone number")
    page = client_for(world.a_manager).get(f"/people/{twin.pk}/").content.decode()
    link = f"/privacy/people/{twin.pk}/erase/?reason=mistake"
    assert link in page.replace("&amp;", "&")
    form = client_for(world.a_manager).get(link).content.decode()
    assert re.search(r'value="mistake"[^>]*checked', form)
    caseworker_page = client_for(world.a_caseworker).get(f"/people/{twin.pk}/").content.decode()
    assert link not in caseworker_page and "erased by a manager" in caseworker_page


def test_others_may_not_erase(world, person):
    others = [
        *[world.member(world.org_a, role) for role in Role.values if role != Role.MANAGER],
        *world.everyone_outside(world.org_a),
        None,
    ]
    url = f"/privacy/people/{person.pk}/erase/"
    assert_disallowed(url, others, secret=SECRETS["name"])
    assert_disallowed(
        url, others, method="post", data={"reason": "request", "reference": person.reference}
    )
    assert reload_person(person).status == Person.Status.ACTIVE


def test_an_erased_person_cannot_be_erased_again(world, person):
    erase(world, person)
    with pytest.raises(Person.DoesNotExist):
        erase(world, person)
    assert AuditEvent.objects.filter(action="person.erased").count() == 1


def test_erasure_remembers_the_old_system_id_only_as_a_keyed_hash(world, person):
    from pathmark.privacy.models import ErasedIdentifier
    from pathmark.privacy.tombstones import erased_among

    erase(world, person)
    stored = ErasedIdentifier.objects.get()
    assert SECRETS["external_id"] not in stored.digest
    assert erased_among(world.org_a.pk, [SECRETS["external_id"], "someone-else"]) == {
        SECRETS["external_id"]
    }
    assert erased_among(world.org_b.pk, [SECRETS["external_id"]]) == set()
