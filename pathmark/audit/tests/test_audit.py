"""The audit log is append-only and visible only to managers and administrators."""

import pytest
from django.db import transaction

from pathmark.audit.models import AppendOnlyError, AuditEvent
from pathmark.audit.services import record, record_many
from pathmark.organisations.models import Role
from pathmark.testing import PersonFactory, assert_disallowed, client_for


def test_audit_entries_cannot_be_changed_or_deleted(world):
    event = record(actor=world.a_caseworker, organisation=world.org_a, action="person.viewed")
    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_audit_details_refuse_personal_data(world):
    with pytest.raises(ValueError, match="personal data"):
        record(
            actor=world.a_caseworker,
            organisation=world.org_a,
            action="person.viewed",
            extra={"name": "Amal"},
        )


def test_manager_sees_own_organisations_audit_log_only(world):
    person = PersonFactory(organisation=world.org_a)
    client_for(world.a_caseworker).get(f"/people/{person.pk}/")
    record(actor=world.b_caseworker, organisation=world.org_b, action="person.erased")
    body = client_for(world.a_manager).get("/audit/").content.decode()
    name = world.a_caseworker.get_full_name() or world.a_caseworker.username
    assert f"{name} viewed a person&#x27;s record" in body
    assert person.reference in body
    assert "erased a person&#x27;s record</td>" not in body


def test_caseworkers_analysts_and_providers_cannot_read_the_audit_log(world):
    users = [
        world.member(world.org_a, role)
        for role in (Role.CASEWORKER, Role.ANALYST, Role.SERVICE_PROVIDER)
    ]
    assert_disallowed("/audit/", [None, *users])


FIELDS = ("actor_id", "actor_username", "organisation_id", "action", "object_type", "object_id")


def test_record_many_writes_the_entries_record_would(world):
    person = PersonFactory(organisation=world.org_a)
    one = record(
        actor=world.a_manager,
        organisation=world.org_a,
        action="person.imported",
        target=person,
        extra={"import": 3},
    )
    record_many(
        actor=world.a_manager,
        action="person.imported",
        object_type="people.person",
        entries=[(world.org_a.pk, person.pk, person.pk, {"import": 3})],
    )
    many = AuditEvent.objects.exclude(pk=one.pk).get(action="person.imported")
    assert [getattr(many, name) for name in FIELDS] == [getattr(one, name) for name in FIELDS]
    assert (many.person_id, many.extra) == (one.person_id, one.extra) == (person.pk, {"import": 3})
    assert many.at is not None


def test_record_many_keeps_each_entrys_organisation_person_and_details(world):
    shared = {"instrument": "integration-journey"}
    record_many(
        actor=None,
        action="assessment.rescored",
        object_type="assessments.assessment",
        entries=[
            (world.org_a.pk, 11, 101, shared),
            (world.org_b.pk, 12, 102, shared),
            (world.org_a.pk, None, None, {"note_kind": "other"}),
        ],
    )
    stored = AuditEvent.objects.filter(action="assessment.rescored").order_by("pk")
    assert [(e.organisation_id, e.object_id, e.person_id, e.extra) for e in stored] == [
        (world.org_a.pk, "11", 101, shared),
        (world.org_b.pk, "12", 102, shared),
        (world.org_a.pk, "", None, {"note_kind": "other"}),
    ]
    assert {(e.actor_id, e.actor_username) for e in stored} == {(None, "")}


def test_record_many_refuses_personal_data_and_writes_nothing(world):
    with pytest.raises(ValueError, match="personal data"):
        record_many(
            actor=world.a_manager,
            action="person.imported",
            object_type="people.person",
            entries=[
                (world.org_a.pk, 1, 1, {"import": 1}),
                (world.org_a.pk, 2, 2, {"name": "Amal"}),
            ],
        )
    assert not AuditEvent.objects.filter(action="person.imported").exists()


def test_record_many_writes_in_the_callers_transaction(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_many(
            actor=world.a_manager,
            action="person.imported",
            object_type="people.person",
            entries=[(world.org_a.pk, 1, 1, {})],
        )
        raise RuntimeError("the change it describes failed")
    assert not AuditEvent.objects.filter(action="person.imported").exists()


def test_the_audit_log_filters_by_person_reference_member_and_dates(world):
    from datetime import timedelta

    from django.utils import timezone

    from pathmark.audit.services import COMMAND_LINE

    first = PersonFactory(organisation=world.org_a)
    second = PersonFactory(organisation=world.org_a)
    record(actor=world.a_caseworker, organisation=world.org_a, action="person.viewed", target=first)
    record(actor=world.a_manager, organisation=world.org_a, action="person.updated", target=second)
    record(actor=COMMAND_LINE, organisation=world.org_a, action="person.exported", target=second)
    client = client_for(world.a_manager)

    def rows(**query):  # type: ignore[no-untyped-def]
        body = client.get("/audit/", query).content.decode()
        return body.split("<tbody>")[1].split("</tbody>")[0]

    by_reference = rows(person=first.reference)
    assert first.reference in by_reference and second.reference not in by_reference
    assert rows(person=f"p{first.pk}") == by_reference
    by_manager = rows(actor=world.a_manager.pk)
    assert "changed a person&#x27;s record" in by_manager and "viewed" not in by_manager
    assert "The server&#x27;s operator (command line) exported" in rows()
    today = timezone.localdate()
    assert "viewed a person" in rows(since=today.isoformat(), until=today.isoformat())
    assert "No entries." in rows(since=(today + timedelta(days=1)).isoformat())
    assert "No entries." in rows(until=(today - timedelta(days=1)).isoformat())
    # A database id is not a reference: it filters nothing and says so.
    response = client.get("/audit/", {"person": "12x"})
    assert "Enter a reference like P-000123." in response.content.decode()
    assert "Times are in the" in response.content.decode()
