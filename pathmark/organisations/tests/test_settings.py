"""An administrator edits their own organisation's settings: name, kind, retention period and
the two-factor requirement. A shorter retention period that would erase records must be
confirmed first."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathmark.audit.models import AuditEvent
from pathmark.organisations import services
from pathmark.organisations.models import Organisation, Role
from pathmark.organisations.scoping import system_scope
from pathmark.people.models import Person
from pathmark.testing import PersonFactory, assert_disallowed, client_for

SETTINGS = "/accounts/organisation/settings/"


def _admin(world, organisation=None):  # type: ignore[no-untyped-def]
    return world.member(organisation or world.org_a, Role.ADMINISTRATOR)


def _form(organisation, **changes):  # type: ignore[no-untyped-def]
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "retention_years": organisation.retention_years,
        "require_two_factor": "on" if organisation.require_two_factor else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def _last_contact_years_ago(organisation, years: int) -> Person:  # type: ignore[no-untyped-def]
    """A client registered, consented and last seen `years` and a bit ago."""
    person = PersonFactory(organisation=organisation)
    long_ago = date.today().replace(year=date.today().year - years, month=1, day=1)
    with system_scope("test: age the record"):
        Person.objects.filter(pk=person.pk).update(
            created_at=timezone.make_aware(datetime(long_ago.year, 1, 1))
        )
        person.consents.update(given_on=long_ago)
    return person


def test_settings_page_shows_the_organisations_settings_and_the_retention_explanation(world):
    page = client_for(_admin(world)).get(SETTINGS).content.decode()
    assert 'value="Refugee Charity"' in page
    assert "erases a client&#x27;s record this many whole years after the last contact" in page
    assert "From 1 to 25 years" in page


def test_administrator_changes_name_kind_and_retention(world):
    response = client_for(_admin(world)).post(
        SETTINGS, _form(world.org_a, name="Refugee Action", kind="faith_group", retention_years=8)
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.name, world.org_a.kind, world.org_a.retention_years) == (
        "Refugee Action",
        "faith_group",
        8,
    )
    entry = AuditEvent.objects.get(action="organisation.settings_changed")
    assert entry.organisation == world.org_a
    assert entry.extra == {
        "changed": ["name", "kind", "retention_years"],
        "kind": "faith_group",
        "retention_years": 8,
        "previous_retention_years": 6,
        "require_two_factor": False,
    }
    assert "Refugee Action" not in str(entry.extra)


@pytest.mark.parametrize("years", ["0", "26", "-1", "six", "1e3"])
def test_retention_outside_one_to_twenty_five_years_is_refused(world, years):
    response = client_for(_admin(world)).post(SETTINGS, _form(world.org_a, retention_years=years))
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.retention_years == 6


def test_the_database_refuses_a_retention_period_out_of_range(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=world.org_a.pk).update(retention_years=0)


def test_shorter_retention_that_would_erase_records_must_be_confirmed(world):
    _last_contact_years_ago(world.org_a, 4)
    _last_contact_years_ago(world.org_a, 5)
    PersonFactory(organisation=world.org_a)  # seen this year: untouched
    _last_contact_years_ago(world.org_b, 5)  # another organisation's: not counted
    admin = client_for(_admin(world))

    response = admin.post(SETTINGS, _form(world.org_a, retention_years=3))

    assert response.status_code == 200
    assert "With 3 years, 2 clients&#x27; records pass the retention period" in (
        response.content.decode()
    )
    world.org_a.refresh_from_db()
    assert world.org_a.retention_years == 6
    confirmed = admin.post(
        SETTINGS, _form(world.org_a, retention_years=3, confirm_shorter_retention="on")
    )
    assert confirmed.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.retention_years == 3


def test_shorter_retention_that_erases_no_one_needs_no_confirmation(world):
    PersonFactory(organisation=world.org_a)
    response = client_for(_admin(world)).post(SETTINGS, _form(world.org_a, retention_years=2))
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.retention_years == 2


def test_settings_page_turns_the_two_factor_requirement_on(world):
    admin = client_for(_admin(world))
    admin.post(SETTINGS, _form(world.org_a, require_two_factor="on"))
    world.org_a.refresh_from_db()
    assert world.org_a.require_two_factor
    # The administrator has no authenticator yet, so is sent to set one up, as everyone is.
    assert admin.get("/accounts/users/")["Location"].startswith("/accounts/two-factor/")


def test_saving_unchanged_settings_writes_nothing(world):
    client_for(_admin(world)).post(SETTINGS, _form(world.org_a))
    assert not AuditEvent.objects.filter(action="organisation.settings_changed").exists()


def test_only_administrators_may_see_or_change_the_settings(world):
    others = [world.member(world.org_a, role) for role in Role.values if role != Role.ADMINISTRATOR]
    assert_disallowed(SETTINGS, [None, *others])
    assert_disallowed(
        SETTINGS, [None, *others], method="post", data=_form(world.org_a, retention_years=1)
    )
    world.org_a.refresh_from_db()
    assert world.org_a.retention_years == 6


def test_a_posted_organisation_is_ignored(world):
    """An administrator changes their own organisation, whatever the form says."""
    client_for(_admin(world)).post(
        SETTINGS,
        {**_form(world.org_a, retention_years=9), "organisation": world.org_b.pk},
    )
    world.org_a.refresh_from_db()
    world.org_b.refresh_from_db()
    assert (world.org_a.retention_years, world.org_b.retention_years) == (9, 6)


def test_service_refuses_an_administrator_of_another_organisation(world):
    with pytest.raises(PermissionDenied):
        services.update_settings(
            by=_admin(world, world.org_b),
            organisation=world.org_a,
            name="Taken over",
            kind="college",
            retention_years=1,
            require_two_factor=False,
        )


def test_service_checks_the_range_itself(world):
    with pytest.raises(ValidationError) as refusal:
        services.update_settings(
            by=_admin(world),
            organisation=world.org_a,
            name="Refugee Charity",
            kind="college",
            retention_years=30,
            require_two_factor=False,
        )
    assert "retention_years" in refusal.value.message_dict
