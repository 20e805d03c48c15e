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


def _share(person: Person, organisation, given_on: date) -> Consent:  # type: ignore[no-untyped-def]
    return Consent.objects.create(
        person=person,
        kind=ConsentKind.SHARE,
        shared_with=organisation,
        purpose="Referral",
        method="in_person",
        given_on=given_on,
    )


def test_consent_to_share_makes_person_visible_to_that_organisation_only(world, system):
    person = PersonFactory(organisation=world.org_a)
    _share(person, world.org_b, date(2025, 2, 1))
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


def test_each_scope_resolves_its_condition_once_and_every_query_starts_from_a_copy(
    world, monkeypatch
):
    """The scoped manager keeps the condition Django resolved for a model and organisation;
    a query narrowed, combined or used inside another leaves the kept one as it was, another
    organisation gets its own, and a new kind of access grant is applied at once."""
    from django.db.models import Q, QuerySet

    from pathmark.organisations import scoping
    from pathmark.people import access

    resolved: list[int | None] = []
    condition = Person.visible_in_scope

    def counted(scope):  # type: ignore[no-untyped-def]
        resolved.append(scope.organisation_id)
        return condition(scope)

    monkeypatch.setattr(Person, "visible_in_scope", staticmethod(counted))
    scoping.forget_resolved_scopes()
    own = PersonFactory(organisation=world.org_a, name="Own")
    other = PersonFactory(organisation=world.org_b, external_id="flagged")
    try:
        with organisation_scope(organisation_id=world.org_a.pk):
            assert list(Person.objects.filter(name="Nobody")) == []
            assert list(Person.objects.exclude(pk=own.pk)) == []
            assert list(Person.objects.filter(pk=other.pk) | Person.objects.all()) == [own]
            assert list(Person.objects.filter(pk__in=Person.objects.values("pk"))) == [own]
            assert list(Person.objects.all()) == [own]
        with organisation_scope(organisation_id=world.org_b.pk):
            assert list(Person.objects.all()) == [other]
        with organisation_scope(organisation_id=world.org_c.pk):
            assert not Person.objects.exists()
        assert resolved == [world.org_a.pk, world.org_b.pk, world.org_c.pk]

        def flagged(*, organisation_id: int, person: str, part: str) -> Q | None:
            if organisation_id != world.org_c.pk:
                return None
            ids = QuerySet(Person).filter(external_id="flagged").values("pk")
            return access.person_among(person, ids)

        access.register(
            access.GrantKind(code="test-flag", label="Test", condition=flagged, grants=list)
        )
        try:
            with organisation_scope(organisation_id=world.org_c.pk):
                assert list(Person.objects.all()) == [other]
        finally:
            access.unregister("test-flag")
        with organisation_scope(organisation_id=world.org_c.pk):
            assert not Person.objects.exists()
    finally:
        monkeypatch.undo()
        scoping.forget_resolved_scopes()


def test_a_prepared_read_is_the_scoped_query_written_once_per_scope(world):
    """`prepared` keeps a read's SQL per scope and binds the ids it is given: the rows are
    those the plain scoped query gives, in each organisation's scope its own, grants as they
    stand when it runs, related rows joined in; never in an aggregate scope."""
    from django.db import connection
    from django.db.models import QuerySet
    from django.test.utils import CaptureQueriesContext

    from pathmark.organisations.scoping import aggregate_scope, prepared, system_scope

    @prepared
    def consents(person_id: int) -> QuerySet[Consent]:
        return Consent.objects.filter(person_id=person_id).select_related("shared_with")

    own = PersonFactory(organisation=world.org_a)
    other = PersonFactory(organisation=world.org_a)
    with system_scope("test"):
        shared = _share(own, world.org_b, date(2026, 1, 5))
    with organisation_scope(organisation_id=world.org_a.pk):
        expected = list(Consent.objects.filter(person_id=own.pk))
        assert consents(own.pk) == expected and expected
        assert consents(other.pk) == list(Consent.objects.filter(person_id=other.pk))
        with CaptureQueriesContext(connection) as queries:
            assert [c.shared_with for c in consents(own.pk) if c.shared_with_id] == [world.org_b]
        assert len(queries) == 1
    # Organisation B sees them through the share; C sees nothing.
    with organisation_scope(organisation_id=world.org_b.pk):
        assert consents(own.pk) == list(Consent.objects.filter(person_id=own.pk)) == expected
    with organisation_scope(organisation_id=world.org_c.pk):
        assert consents(own.pk) == []
    with system_scope("test"):
        assert shared in consents(own.pk)
        Person.objects.filter(pk=own.pk).update(organisation=world.org_c)
    # The same kept SQL, run again: the registering organisation is now C, at once.
    with organisation_scope(organisation_id=world.org_a.pk):
        assert consents(own.pk) == []
    with organisation_scope(organisation_id=world.org_c.pk):
        assert shared in consents(own.pk)
        assert consents(own.pk) == list(Consent.objects.filter(person_id=own.pk))
    with aggregate_scope("test"), pytest.raises(ScopeError):
        consents(own.pk)

    @prepared
    def ignores_its_id(person_id: int) -> QuerySet[Person]:
        return Person.objects.all()

    with organisation_scope(organisation_id=world.org_a.pk), pytest.raises(TypeError):
        ignores_its_id(own.pk)

    @prepared
    def none_ever(person_id: int) -> QuerySet[Consent]:
        return Consent.objects.filter(person_id=person_id, pk__in=[])

    with organisation_scope(organisation_id=world.org_a.pk):
        assert none_ever(own.pk) == none_ever(other.pk) == []


def _statements() -> dict[str, tuple[str, list[str], int]]:
    """The statements prepared on this PostgreSQL connection: name -> (SQL, parameter types,
    runs with the server's one kept plan)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement, parameter_types::text[], generic_plans "
            "FROM pg_prepared_statements WHERE name LIKE 'pathmark_%%'"
        )
        return {name: (sql, types, generic) for name, sql, types, generic in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_prepared_read_is_planned_once_per_connection():
    """On PostgreSQL a prepared read is a statement prepared on the connection with only the
    ids as parameters, so the server soon keeps one plan for it instead of planning each
    run; it lasts through a rolled-back transaction and is prepared again on a new
    connection."""
    from django.db import connection, transaction
    from django.db.models import QuerySet

    from pathmark.organisations.scoping import prepared, system_scope
    from pathmark.testing import OrganisationFactory

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans each query it is sent; SQLite keeps them already")

    @prepared
    def person(person_id: int) -> QuerySet[Person]:
        return Person.objects.filter(pk=person_id).select_related("organisation")

    mine, theirs = OrganisationFactory(), OrganisationFactory()
    connection.close()  # a connection of its own: no other test's statements on it
    with system_scope("test"):
        people = [PersonFactory(organisation=mine) for _ in range(8)]
        stranger = PersonFactory(organisation=theirs)
    with organisation_scope(organisation_id=mine.pk):
        for someone in people:
            assert person(someone.pk) == [someone]
        assert person(stranger.pk) == []
        (name,) = _statements()
        sql, types, generic = _statements()[name]
        assert types == ["bigint"]  # the id; the organisation and the rest are written in
        assert f'"organisation_id" = {mine.pk}' in sql
        assert generic >= 1
        with pytest.raises(RuntimeError), transaction.atomic():
            assert person(people[0].pk) == [people[0]]
            raise RuntimeError
        assert person(people[1].pk) == [people[1]]
    connection.close()
    with organisation_scope(organisation_id=mine.pk):
        assert _statements() == {}
        assert person(people[2].pk) == [people[2]]
        assert len(_statements()) == 1
    # Another organisation's scope is another statement, with its own organisation in it.
    with organisation_scope(organisation_id=theirs.pk):
        assert person(stranger.pk) == [stranger] and person(people[0].pk) == []
        assert len(_statements()) == 2


def test_outside_any_scope_a_prepared_read_may_read_only_tables_without_personal_data(world):
    """The sign-in frame reads the user's memberships before any organisation is chosen; a
    read of personal data there fails as the plain query does, every time (nothing kept)."""
    from django.db.models import QuerySet

    from pathmark.organisations.models import Membership
    from pathmark.organisations.scoping import active_scope, prepared

    @prepared
    def memberships(user_id: int) -> QuerySet[Membership]:
        return Membership.objects.filter(user_id=user_id).order_by("pk")

    @prepared
    def consents(person_id: int) -> QuerySet[Consent]:
        return Consent.objects.filter(person_id=person_id)

    person = PersonFactory(organisation=world.org_a)
    user = world.a_caseworker
    assert active_scope() is None
    assert memberships(user.pk) == list(Membership.objects.filter(user=user)) != []
    for _attempt in range(2):
        with pytest.raises(ScopeError):
            consents(person.pk)
    with organisation_scope(organisation_id=world.org_a.pk):
        assert consents(person.pk) != []
    with pytest.raises(ScopeError):
        consents(person.pk)
