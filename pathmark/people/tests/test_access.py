"""Access grants decide who sees a person; a new kind of grant extends them from its own app,
and an aggregate-only scope gives counts without identities."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pathmark.assessments.models import Assessment
from pathmark.organisations.scoping import (
    AggregateOnlyError,
    aggregate_scope,
    organisation_scope,
    system_scope,
)
from pathmark.people import access
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person
from pathmark.testing import PersonFactory


def visible_to(organisation) -> set[int]:  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=organisation.pk):
        return set(Person.objects.values_list("pk", flat=True))


def share(person, organisation) -> Consent:  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=organisation,
            purpose="Shared support",
            method=ConsentMethod.IN_PERSON,
            given_on=datetime.date(2026, 1, 5),
        )


def test_registering_organisation_holds_a_grant_that_never_ends(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a)
    with system_scope("test"):
        grants = access.grants_for(person.pk)
    assert [(g.kind, g.organisation_id, g.is_active) for g in grants] == [
        ("registered", world.org_a.pk, True)
    ]
    assert person.pk in visible_to(world.org_a)
    assert person.pk not in visible_to(world.org_b)


def test_consent_grant_starts_on_consent_and_ends_on_withdrawal(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a)
    consent = share(person, world.org_b)
    assert person.pk in visible_to(world.org_b)
    assert person.pk not in visible_to(world.org_c)
    with system_scope("test"):
        consent.withdrawn_at = timezone.now()
        consent.save()
        grants = {g.kind: g for g in access.grants_for(person.pk)}
    assert person.pk not in visible_to(world.org_b)
    assert grants["consent"].since == datetime.date(2026, 1, 5)
    assert grants["consent"].until is not None
    with system_scope("test"):
        assert access.organisations_with_access(person.pk) == {world.org_a.pk}


def test_a_kind_registered_by_another_app_extends_visibility_for_the_parts_it_covers(world) -> None:  # type: ignore[no-untyped-def]
    """What a referral will do: its receiving organisation sees the person record, not the
    assessments, while the grant lasts."""
    person = PersonFactory(organisation=world.org_a, external_id="flagged")

    def condition(*, organisation_id: int, person: str, part: str) -> Q | None:
        if part != access.PERSON or organisation_id != world.org_c.pk:
            return None
        # Decided by the database when the query runs, as every condition must be: it is
        # built once and kept (`visible_people_q`).
        flagged = QuerySet(Person).filter(external_id="flagged").values("pk")
        return access.person_among(person, flagged)

    access.register(
        access.GrantKind(
            code="test-referral", label="Test", condition=condition, grants=lambda _pid: []
        )
    )
    try:
        assert person.pk in visible_to(world.org_c)
        with organisation_scope(organisation_id=world.org_c.pk):
            assert not Assessment.objects.filter(person=person).exists()
            assert not Consent.objects.filter(person=person).exists()
        with system_scope("test: the grant ends"):
            Person.objects.filter(pk=person.pk).update(external_id="")
        assert person.pk not in visible_to(world.org_c)
    finally:
        access.unregister("test-referral")


def test_a_kind_cannot_be_registered_twice(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(access.GrantKindError):
        access.register(
            access.GrantKind(
                code="consent", label="again", condition=lambda **_: None, grants=lambda _: []
            )
        )


def test_single_record_query_never_lists_the_visible_ids(world) -> None:  # type: ignore[no-untyped-def]
    """The scope is a condition on the row: the registering organisation, or the person among
    those a grant's own table names (read through its index), never `IN (every visible id)`.
    tests/performance checks the plans these give."""
    person = PersonFactory(organisation=world.org_a)
    with organisation_scope(organisation_id=world.org_a.pk):
        sql = str(Person.objects.filter(pk=person.pk).query).upper()
        assessment_sql = str(Assessment.objects.filter(person_id=person.pk).query).upper()
    assert f'"PEOPLE_PERSON"."ORGANISATION_ID" = {world.org_a.pk}' in sql
    assert 'FROM "PEOPLE_CONSENT" U0' in sql
    assert 'IN (SELECT U0."ID"' not in sql
    assert 'ARRAY(SELECT U0."ID"' not in sql
    assert '"PEOPLE_PERSON"."ID" IN (SELECT' not in assessment_sql


def test_aggregate_scope_counts_across_organisations_without_identities(world) -> None:  # type: ignore[no-untyped-def]
    PersonFactory(organisation=world.org_a, gender="woman")
    PersonFactory(organisation=world.org_b, gender="woman")
    PersonFactory(organisation=world.org_b, gender="man")
    with aggregate_scope("test report"):
        assert Person.objects.count() == 3
        by_gender = dict(
            Person.objects.values_list("gender").annotate(n=Count("pk")).order_by("gender")
        )
        assert by_gender == {"man": 1, "woman": 2}
        with pytest.raises(AggregateOnlyError):
            list(Person.objects.all())
        with pytest.raises(AggregateOnlyError):
            list(Person.objects.values("name"))
        with pytest.raises(AggregateOnlyError):
            list(Person.objects.values_list("date_of_birth", flat=True))
        with pytest.raises(AggregateOnlyError):
            Person.objects.first()
        with pytest.raises(AggregateOnlyError):
            list(Assessment.objects.values("person__email"))
    with aggregate_scope("one organisation", organisation_id=world.org_b.pk):
        assert Person.objects.count() == 2


def test_a_kept_condition_holds_inside_other_queries_at_any_depth(world) -> None:  # type: ignore[no-untyped-def]
    """A grant's subquery is compiled to SQL once (`person_among`) and then stands in every
    scoped query as written: as a subquery of another scoped query (its own aliases only
    shadow inside it), combined with other conditions, or negated."""
    own = PersonFactory(organisation=world.org_a)
    shared = PersonFactory(organisation=world.org_b)
    hidden = PersonFactory(organisation=world.org_b)
    share(shared, world.org_a)
    with organisation_scope(organisation_id=world.org_a.pk):
        # A scoped query inside a scoped query: both carry the consent subquery.
        nested = Consent.objects.filter(person__in=Person.objects.values("pk"))
        assert set(nested.values_list("person_id", flat=True)) == {own.pk, shared.pk}
        both = Person.objects.filter(pk__in=Person.objects.filter(pk__in=[shared.pk, hidden.pk]))
        assert set(both.values_list("pk", flat=True)) == {shared.pk}
        kept = access.visible_people_q(organisation_id=world.org_a.pk)
        assert set(
            QuerySet(Person)
            .filter(kept, pk__in=[own.pk, shared.pk, hidden.pk])
            .values_list("pk", flat=True)
        ) == {own.pk, shared.pk}
        assert set(
            QuerySet(Person)
            .exclude(kept)
            .filter(pk__in=[own.pk, shared.pk, hidden.pk])
            .values_list("pk", flat=True)
        ) == {hidden.pk}
    with organisation_scope(organisation_id=world.org_c.pk):
        assert not Person.objects.filter(pk__in=Person.objects.values("pk")).exists()
