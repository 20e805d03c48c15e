"""Consent as the ground for holding a record: what sharing was agreed, and what happens
when the consent to hold and use the information is withdrawn."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pathmark.audit.models import AuditEvent
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people import services
from pathmark.people.models import Consent, ConsentKind, Person
from pathmark.privacy import services as privacy
from pathmark.testing import PersonFactory, client_for

from .test_people import registration_data


def _share(person: Person, organisation) -> Consent:  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose="Share",
            method="in_person",
            given_on=date(2025, 1, 1),
        )


def _processing(person: Person) -> Consent:
    with system_scope("test"):
        return Consent.objects.get(person=person, kind=ConsentKind.PROCESSING)


def _withdraw(world, person: Person, consent: Consent):  # type: ignore[no-untyped-def]
    return client_for(world.a_caseworker).post(
        f"/people/{person.pk}/consent/{consent.pk}/withdraw/", {"how": "in_person"}, follow=True
    )


def test_sharing_agreed_at_registration_says_what_was_shared_with_whom(world):
    data = registration_data(share_with=[world.org_b.pk])
    assert client_for(world.a_caseworker).post("/people/register/", data).status_code == 302
    with system_scope("test"):
        share = Consent.objects.get(kind=ConsentKind.SHARE)
        processing = Consent.objects.get(kind=ConsentKind.PROCESSING)
    assert processing.purpose == "Hold and use my information to support me."
    assert share.purpose == (
        f"Share my record with {world.org_b.name} so that they can support me too."
    )


def test_withdrawing_consent_to_share_keeps_the_record_in_use(world):
    person = PersonFactory(organisation=world.org_a)
    share = _share(person, world.org_b)
    body = _withdraw(world, person, share).content.decode()
    assert "Sharing stopped at once" in body
    with system_scope("test"):
        person.refresh_from_db()
    assert person.status == Person.Status.ACTIVE


def test_withdrawing_the_consent_to_hold_and_use_restricts_and_ends_sharing(world):
    person = PersonFactory(organisation=world.org_a)
    _share(person, world.org_b)
    assert client_for(world.b_caseworker).get(f"/people/{person.pk}/").status_code == 200

    body = _withdraw(world, person, _processing(person)).content.decode()

    assert "the record is now restricted" in body
    with system_scope("test"):
        person.refresh_from_db()
        open_consents = Consent.objects.filter(person=person, withdrawn_at__isnull=True).count()
    assert person.status == Person.Status.RESTRICTED
    assert open_consents == 0
    assert client_for(world.b_caseworker).get(f"/people/{person.pk}/").status_code == 404
    refused = client_for(world.a_caseworker).post(
        f"/people/{person.pk}/edit/", {"name": "Changed", "gender": "woman", "languages": ["ar"]}
    )
    assert refused.status_code != 302
    event = AuditEvent.objects.get(action="person.restricted")
    assert event.extra == {"ground": "consent_withdrawn"}
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 2


def test_a_new_consent_to_hold_and_use_allows_lifting_the_restriction(world):
    person = PersonFactory(organisation=world.org_a)
    with organisation_scope(organisation_id=world.org_a.pk):
        services.withdraw_consent(
            by=world.a_caseworker, organisation=world.org_a, consent=_processing(person)
        )
        person.refresh_from_db()
        with pytest.raises(ValidationError, match="withdrawn their consent"):
            privacy.lift_restriction(by=world.a_manager, organisation=world.org_a, person=person)
        with pytest.raises(ValidationError):
            services.record_consent(
                by=world.a_caseworker,
                organisation=world.org_a,
                person=person,
                kind=ConsentKind.SHARE,
                shared_with=world.org_b,
                purpose="Not while restricted",
                method="in_person",
                given_on=date(2026, 1, 1),
            )
        services.record_consent(
            by=world.a_caseworker,
            organisation=world.org_a,
            person=person,
            kind=ConsentKind.PROCESSING,
            purpose="Agreed again",
            method="in_person",
            given_on=date(2026, 1, 1),
        )
        privacy.lift_restriction(by=world.a_manager, organisation=world.org_a, person=person)
        person.refresh_from_db()
    assert person.status == Person.Status.ACTIVE


def test_withdrawing_asks_first_and_says_what_it_will_end(world):  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a)
    share = _share(person, world.org_b)
    with system_scope("test"):
        processing = Consent.objects.get(person=person, kind=ConsentKind.PROCESSING)
    client = client_for(world.a_caseworker)
    url = f"/people/{person.pk}/consent/{processing.pk}/withdraw/"
    asked = client.get(url).content.decode()
    assert "only consent to hold and use" in asked
    assert world.org_b.name in asked
    # Without saying how the person withdrew it, nothing changes.
    assert client.post(url, {}).status_code == 200
    with system_scope("test"):
        assert Consent.objects.get(pk=share.pk).withdrawn_at is None
    client.post(url, {"how": "phone"})
    with system_scope("test"):
        assert Consent.objects.get(pk=processing.pk).withdrawn_at is not None
    event = AuditEvent.objects.filter(
        action="consent.withdrawn", object_id=str(processing.pk)
    ).get()
    assert event.extra["how"] == "phone"
