"""Appending rows in bulk: the ids come back in row order, unlisted fields get their
defaults, values are stored as the ORM would store them, and personal data still needs a
scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from pathmark.audit.models import AuditEvent
from pathmark.core import appending
from pathmark.core.appending import append_rows
from pathmark.organisations.scoping import ScopeError, organisation_scope, system_scope
from pathmark.people.models import Person
from pathmark.testing import PersonFactory


def people(organisation, names: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=organisation.pk):
        return append_rows(
            Person,
            ["external_id", "name", "languages", "date_of_birth"],
            [
                (f"E{n}", name, ["ar", "en"], dt.date(1990, 1, n + 1))
                for n, name in enumerate(names)
            ],
            same={"organisation_id": organisation.pk},
        )


def test_ids_come_back_in_the_order_of_the_rows(world):
    ids = people(world.org_a, ["Amal", "Bilal", "Dana"])
    with system_scope("test"):
        stored = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert [stored[pk] for pk in ids] == ["Amal", "Bilal", "Dana"]


def test_ids_are_right_when_the_rows_span_several_statements(world, monkeypatch):
    monkeypatch.setattr(appending, "CHUNK_ROWS", 2)
    names = [f"Person {n}" for n in range(5)]
    ids = people(world.org_a, names)
    with system_scope("test"):
        stored = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert [stored[pk] for pk in ids] == names


def test_ids_follow_rows_already_in_the_table(world):
    earlier = PersonFactory(organisation=world.org_a)
    ids = people(world.org_a, ["Amal"])
    assert ids[0] > earlier.pk


def test_values_are_stored_as_the_orm_stores_them(world):
    (pk,) = people(world.org_a, ["Amal"])
    with system_scope("test"):
        person = Person.objects.get(pk=pk)
    assert person.languages == ["ar", "en"]
    assert person.date_of_birth == dt.date(1990, 1, 1)


def test_text_that_looks_like_syntax_and_missing_values_are_stored_as_given(world):
    awkward = 'O\'Brien, "Amal" {NULL} \\ ;'
    with organisation_scope(organisation_id=world.org_a.pk):
        ids = append_rows(
            Person,
            ["name", "date_of_birth", "languages"],
            [(awkward, None, []), ("NULL", dt.date(1990, 1, 1), ["ar"])],
            same={"organisation_id": world.org_a.pk},
        )
        stored = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    first, second = stored[ids[0]], stored[ids[1]]
    assert (first.name, first.date_of_birth, first.languages) == (awkward, None, [])
    assert (second.name, second.languages) == ("NULL", ["ar"])


def test_unlisted_fields_get_their_defaults_and_the_current_time(world):
    (pk,) = people(world.org_a, ["Amal"])
    with system_scope("test"):
        person = Person.objects.get(pk=pk)
    assert (person.status, person.phone, person.household_id) == (Person.Status.ACTIVE, "", None)
    assert person.created_at is not None
    assert person.created_at == person.updated_at


def test_one_detail_object_for_many_rows_is_stored_for_each(world):
    extra = {"import": 7}
    append_rows(
        AuditEvent,
        ["object_id", "extra"],
        [("1", extra), ("2", extra)],
        same={"action": "test.appended"},
        return_ids=False,
    )
    stored = AuditEvent.objects.filter(action="test.appended").values_list("extra", flat=True)
    assert list(stored) == [extra, extra]


def test_personal_data_cannot_be_appended_outside_a_scope(world):
    with pytest.raises(ScopeError):
        append_rows(Person, ["name"], [("Amal",)], same={"organisation_id": world.org_a.pk})


def test_an_unknown_field_is_refused(world):
    with pytest.raises(ValueError, match="nickname"):
        append_rows(AuditEvent, ["nickname"], [("x",)])


def test_a_failed_append_inserts_nothing(world):
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        append_rows(
            AuditEvent,
            ["object_id", "action"],
            [("1", "test.fine"), ("2", None)],  # the second breaks NOT NULL
        )
    assert AuditEvent.objects.count() == before


def test_json_is_stored_as_the_same_text_the_orm_writes(world):
    detail = {"import": 7, "fields": ["gender", "name"], "score": 62.5, "note": 'é "q"', "x": None}
    by_orm = AuditEvent.objects.create(action="test.orm", extra=detail)
    append_rows(AuditEvent, ["action", "extra"], [("test.appended", detail)], return_ids=False)
    appended = AuditEvent.objects.get(action="test.appended")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extra FROM audit_auditevent WHERE id IN (%s, %s) ORDER BY id",
            [by_orm.pk, appended.pk],
        )
        orm_text, appended_text = (row[0] for row in cursor.fetchall())
    assert appended_text == orm_text
    assert appended.extra == detail


def test_equal_dates_in_different_objects_are_each_stored(world):
    with organisation_scope(organisation_id=world.org_a.pk):
        ids = append_rows(
            Person,
            ["name", "date_of_birth"],
            [
                ("Amal", dt.date(1990, 1, 1)),
                ("Bilal", dt.date(1990, 1, 1)),
                ("Dana", None),
                ("Eli", dt.date(1991, 2, 3)),
            ],
            same={"organisation_id": world.org_a.pk},
        )
        born = dict(Person.objects.filter(pk__in=ids).values_list("name", "date_of_birth"))
    assert born == {
        "Amal": dt.date(1990, 1, 1),
        "Bilal": dt.date(1990, 1, 1),
        "Dana": None,
        "Eli": dt.date(1991, 2, 3),
    }
