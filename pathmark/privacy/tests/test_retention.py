"""Retention: people past their organisation's period are erased by the sweep, the dry run
only lists them, and restricted people are kept."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Consent, Person
from pathmark.privacy import services
from pathmark.privacy.selectors import years_before
from pathmark.privacy.tasks import apply_retention
from pathmark.testing import PersonFactory, run_assessment

from .conftest import age, reload_person


def statuses(*people: Person) -> list[str]:
    return [reload_person(person).status for person in people]


@pytest.fixture
def old_a(world) -> Person:  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name="Old Client A")
    age(person, years=7)
    return person


@pytest.fixture
def recent_a(world) -> Person:  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_a, name="Recent Client A")
    age(person, years=5)
    return person


@pytest.fixture
def old_b(world) -> Person:  # type: ignore[no-untyped-def]
    person = PersonFactory(organisation=world.org_b, name="Old Client B")
    age(person, years=7)
    return person


def test_dry_run_lists_who_would_go_and_changes_nothing(world, old_a, recent_a, old_b):
    events_before = AuditEvent.objects.count()
    report = services.apply_retention(dry_run=True)
    assert statuses(old_a, recent_a, old_b) == ["active"] * 3
    assert AuditEvent.objects.count() == events_before
    expired = {o.slug: o.expired for o in report.organisations}
    assert expired[world.org_a.slug] == [(old_a.pk, old_a.reference)]
    assert expired[world.org_b.slug] == [(old_b.pk, old_b.reference)]


def test_retention_erases_only_expired_people_of_that_organisation(world, old_a, recent_a, old_b):
    report = services.apply_retention(organisation=world.org_a)
    assert statuses(old_a, recent_a, old_b) == ["erased", "active", "active"]
    assert report.erased == 1
    event = AuditEvent.objects.get(action="person.erased")
    assert event.extra["reason"] == "retention" and event.actor is None
    summary = AuditEvent.objects.get(action="retention.applied")
    assert summary.organisation == world.org_a and summary.extra["erased"] == 1


def test_the_retention_period_is_per_organisation(world, old_a, old_b):
    Organisation.objects.filter(pk=world.org_b.pk).update(retention_years=10)
    services.apply_retention()
    assert statuses(old_a, old_b) == ["erased", "active"]


def test_a_recent_assessment_keeps_a_person(world, old_a):
    with system_scope("test"):
        Person.objects.filter(pk=old_a.pk).update(status="active")
    run_assessment(world.a_caseworker, world.org_a, reload_person(old_a))  # dated 2025-06-01
    services.apply_retention(today=date(2026, 1, 1))
    assert statuses(old_a) == ["active"]


def test_a_recent_consent_keeps_a_person(world, old_a):
    with system_scope("test"):
        Consent.objects.filter(person=old_a).update(given_on=date.today() - timedelta(days=30))
    services.apply_retention()
    assert statuses(old_a) == ["active"]


def test_a_recent_contact_keeps_a_person(world, old_a):
    with system_scope("test"):
        Person.objects.filter(pk=old_a.pk).update(last_contact_at=timezone.now())
    services.apply_retention()
    assert statuses(old_a) == ["active"]


def test_an_expired_restricted_person_is_kept_and_counted(world, old_a):
    with system_scope("test"):
        Person.objects.filter(pk=old_a.pk).update(status="restricted")
    report = services.apply_retention(organisation=world.org_a)
    assert statuses(old_a) == ["restricted"]
    assert report.organisations[0].held_restricted == 1 and report.erased == 0


def test_command_dry_run_prints_ids_and_references_only(world, old_a):
    out = StringIO()
    call_command("retention", "--dry-run", "--organisation", world.org_a.slug, stdout=out)
    text = out.getvalue()
    assert old_a.reference in text and "Old Client" not in text
    assert "nothing was changed" in text
    assert statuses(old_a) == ["active"]


def test_command_reports_json(world, old_a, old_b):
    out = StringIO()
    call_command("retention", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["erased"] == 2 and report["dry_run"] is False
    assert statuses(old_a, old_b) == ["erased", "erased"]


def test_command_fails_with_a_one_line_reason_for_an_unknown_organisation(world):
    with pytest.raises(CommandError, match="There is no organisation 'nowhere'") as error:
        call_command("retention", "--organisation", "nowhere")
    assert "\n" not in str(error.value)


def test_the_task_applies_retention_and_returns_the_report(world, old_a):
    result = apply_retention.enqueue(organisation_id=world.org_a.pk)
    assert result.return_value["erased"] == 1
    assert statuses(old_a) == ["erased"]


@given(
    day=st.dates(min_value=date(1910, 1, 1), max_value=date(2200, 12, 31)),
    years=st.integers(min_value=0, max_value=100),
)
def test_years_before_is_the_same_day_or_the_last_of_february(day, years):
    earlier = years_before(day, years)
    assert earlier.year == day.year - years and earlier.month == day.month
    assert earlier.day == day.day or (day.month, day.day, earlier.day) == (2, 29, 28)
