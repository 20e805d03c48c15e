"""A service's `organisation` argument and the active scope can never disagree."""

from __future__ import annotations

import importlib
import inspect
from datetime import date

import pytest

from pathmark.organisations.scoping import ScopeError, organisation_scope, system_scope
from pathmark.people import services as people_services
from pathmark.people.models import Person

# Every app whose services write personal data, now and as apps are added.
SERVICE_MODULES = [
    "pathmark.people.services",
    "pathmark.assessments.services",
    "pathmark.privacy.services",
    "pathmark.transfer.services",
    "pathmark.journeys.services",
    "pathmark.plans.services",
    "pathmark.referrals.services",
]


def public_services_taking_an_organisation() -> list[tuple[str, object]]:
    found = []
    for name in SERVICE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for attribute, function in vars(module).items():
            if attribute.startswith("_") or not inspect.isfunction(function):
                continue
            if getattr(function, "__module__", None) != name:
                continue
            if "organisation" in inspect.signature(function).parameters:
                found.append((f"{name}.{attribute}", function))
    return found


def test_every_service_taking_an_organisation_checks_it_against_the_scope() -> None:
    services = public_services_taking_an_organisation()
    assert len(services) > 20
    unchecked = [
        name for name, function in services if not getattr(function, "checks_organisation", False)
    ]
    assert unchecked == [], f"decorate these with @checks_organisation: {unchecked}"


def test_registering_for_another_organisation_is_refused_and_writes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    with (
        organisation_scope(organisation_id=world.org_a.pk, user_id=world.a_caseworker.pk),
        pytest.raises(ScopeError),
    ):
        people_services.register_person(
            by=world.a_caseworker,
            organisation=world.org_b,
            values={"name": "Smuggled In"},
            consent=people_services.ConsentGiven(
                purpose="Support", method="written", given_on=date(2026, 1, 1)
            ),
        )
    with system_scope("test"):
        assert not Person.objects.filter(name="Smuggled In").exists()


def test_system_work_may_name_any_organisation(world) -> None:  # type: ignore[no-untyped-def]
    with system_scope("test"):
        registration = people_services.register_person(
            by=None,
            organisation=world.org_b,
            values={"name": "Registered By The System"},
            consent=people_services.ConsentGiven(
                purpose="Support", method="written", given_on=date(2026, 1, 1)
            ),
        )
    assert registration.person.organisation_id == world.org_b.pk
