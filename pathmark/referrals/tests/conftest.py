"""A world of three organisations where B registers a client and A runs a service."""

from __future__ import annotations

from datetime import date

import pytest

from pathmark.directory.models import DirectoryOrganisation, Language, Service
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import ConsentMethod
from pathmark.referrals import services
from pathmark.testing import PersonFactory, World

SECRET_NAME = "Referred Zephyrine Client"


def make_service(organisation, name: str = "ESOL for beginners", **facts) -> Service:  # type: ignore[no-untyped-def]
    entry, _ = DirectoryOrganisation.objects.get_or_create(
        organisation=organisation, defaults={"name": organisation.name}
    )
    service = Service.objects.create(organization=entry, name=name, **facts)
    Language.objects.create(service=service, name="Arabic", code="ar")
    return service


@pytest.fixture
def service(world: World) -> Service:
    return make_service(world.org_a)


@pytest.fixture
def client_person(world: World):  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return PersonFactory(
            organisation=world.org_b, name=SECRET_NAME, languages=["ar"], postcode="NB1 4AA"
        )


CONSENT = services.ReferralConsent(given_on=date(2026, 1, 5), method=ConsentMethod.IN_PERSON)


def as_member(world: World, organisation, role: str = Role.CASEWORKER):  # type: ignore[no-untyped-def]
    user = world.member(organisation, role)
    return user, organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role=role)


def refer(world: World, person, service, *, send: bool = True, **kwargs):  # type: ignore[no-untyped-def]
    user, scope = as_member(world, world.org_b)
    with scope:
        return services.draft_referral(
            by=user,
            organisation=world.org_b,
            person=person,
            service=service,
            consent=kwargs.pop("consent", CONSENT),
            send=send,
            **kwargs,
        )


def move(world: World, organisation, referral, new: str, role: str = Role.SERVICE_PROVIDER, **kw):  # type: ignore[no-untyped-def]
    user, scope = as_member(world, organisation, role)
    with scope:
        return services.change_status(
            by=user, organisation=organisation, referral=referral, new=new, **kw
        )
