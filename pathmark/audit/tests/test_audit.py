"""The audit log is append-only and visible only to managers and administrators."""

import pytest

from pathmark.audit.models import AppendOnlyError, AuditEvent
from pathmark.audit.services import record
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
            actor=world.a_caseworker, organisation=world.org_a, action="x", extra={"name": "Amal"}
        )


def test_manager_sees_own_organisations_audit_log_only(world):
    person = PersonFactory(organisation=world.org_a)
    client_for(world.a_caseworker).get(f"/people/{person.pk}/")
    record(actor=world.b_caseworker, organisation=world.org_b, action="person.viewed.elsewhere")
    body = client_for(world.a_manager).get("/audit/").content.decode()
    assert "person.viewed" in body and world.a_caseworker.username in body
    assert "person.viewed.elsewhere" not in body


def test_caseworkers_analysts_and_providers_cannot_read_the_audit_log(world):
    users = [
        world.member(world.org_a, role)
        for role in (Role.CASEWORKER, Role.ANALYST, Role.SERVICE_PROVIDER)
    ]
    assert_disallowed("/audit/", [None, *users])
