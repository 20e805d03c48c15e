"""The shared scoping mechanism fails closed and follows consent."""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pathmark.organisations.scoping import ScopeError, organisation_scope
from pathmark.people.models import Consent, ConsentKind, Person
from pathmark.testing import PersonFactory, client_for


def test_query_outside_any_scope_raises(db):
    with pytest.raises(ScopeError):
        list(Person.objects.all())


def test_person_is_visible_only_to_registering_organisation(world):
    person = PersonFactory(organisation=world.org_a)
    with organisation_scope(organisation_id=world.org_a.pk):
        assert list(Person.objects.all()) == [person]
    with organisation_scope(organisation_id=world.org_b.pk):
        assert not Person.objects.filter(pk=person.pk).exists()


def test_consent_to_share_makes_person_visible_to_that_organisation_only(world, system):
    person = PersonFactory(organisation=world.org_a)
    Consent.objects.create(
        person=person,
        kind=ConsentKind.SHARE,
        shared_with=world.org_b,
        purpose="Referral",
        method="in_person",
        given_on=date(2025, 2, 1),
    )
    with organisation_scope(organisation_id=world.org_b.pk):
        assert Person.objects.filter(pk=person.pk).exists()
    with organisation_scope(organisation_id=world.org_c.pk):
        assert not Person.objects.filter(pk=person.pk).exists()


def test_withdrawn_consent_stops_sharing_on_the_next_request(world):
    person = PersonFactory(organisation=world.org_a, name="Withdrawn Secret")
    client_a = client_for(world.a_caseworker)
    response = client_a.post(
        f"/people/{person.pk}/consent/",
        {
            "kind": "share",
            "shared_with": world.org_b.pk,
            "purpose": "Help with housing",
            "method": "in_person",
            "given_on": "2025-03-01",
        },
    )
    assert response.status_code == 302
    client_b = client_for(world.b_caseworker)
    assert "Withdrawn Secret" in client_b.get(f"/people/{person.pk}/").content.decode()
    with organisation_scope(organisation_id=world.org_a.pk):
        consent = Consent.objects.get(person=person, kind=ConsentKind.SHARE)
    client_a.post(f"/people/{person.pk}/consent/{consent.pk}/withdraw/", {"how": "phone"})
    response = client_b.get(f"/people/{person.pk}/")
    assert response.status_code == 404
    assert "Withdrawn Secret" not in response.content.decode()


def _walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_declares_who_may_use_it():
    """Deny by default: a view must either name the action it needs (`@requires`, `@any_member`)
    or be explicitly public (`@login_not_required`). A new view that forgets fails here."""
    undeclared = []
    for route, view in _walk(get_resolver().url_patterns):
        declared = (
            getattr(view, "pathmark_action", None) or getattr(view, "login_required", True) is False
        )
        if not declared:
            undeclared.append(f"{route} → {view.__module__}.{view.__qualname__}")
    assert not undeclared, "Views without an access declaration:\n" + "\n".join(undeclared)
