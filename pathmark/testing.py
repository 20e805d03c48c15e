"""The test world every Pathmark test can use: three organisations, a member of each role in
each, and one-line helpers to prove that someone may not see something.

Factories create rows inside a system scope, so tests set up freely; the code under test
still runs in the scope of the user making the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import factory
import pytest
from django.test import Client

from pathmark.accounts.models import User
from pathmark.organisations.models import Membership, Organisation, OrganisationKind, Role
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Consent, ConsentKind, ConsentMethod, Person

PASSWORD = "correct horse battery staple"


class SystemScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    # The whole generation runs in the system scope, post-generation hooks and their saves
    # included (wrapping only `_create` left those outside it), so a test calls the factory
    # directly wherever it is.
    @classmethod
    def _generate(cls, strategy, params):  # type: ignore[no-untyped-def]
        with system_scope("test factory"):
            return super()._generate(strategy, params)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    kind = OrganisationKind.VOLUNTARY_ORGANISATION
    require_two_factor = False  # tests that need it set it; see accounts tests


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASEWORKER


class PersonFactory(SystemScopedFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=70)
    gender = "woman"
    preferred_language = "ar"
    languages = factory.LazyFunction(lambda: ["ar", "en"])
    country_of_origin = "SY"

    @factory.post_generation
    def consent(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]  # noqa: N805
        if create:
            with system_scope("test factory"):
                Consent.objects.create(
                    person=obj,
                    kind=ConsentKind.PROCESSING,
                    purpose="Support",
                    method=ConsentMethod.IN_PERSON,
                    given_on=date(2025, 1, 1),
                )


@dataclass
class World:
    """Three organisations; `members[slug][role]` is a user of that organisation in that role."""

    org_a: Organisation
    org_b: Organisation
    org_c: Organisation
    members: dict[str, dict[str, User]]

    def member(self, organisation: Organisation, role: str) -> User:
        return self.members[organisation.slug][role]

    @property
    def a_caseworker(self) -> User:
        return self.member(self.org_a, Role.CASEWORKER)

    @property
    def a_manager(self) -> User:
        return self.member(self.org_a, Role.MANAGER)

    @property
    def b_caseworker(self) -> User:
        return self.member(self.org_b, Role.CASEWORKER)

    @property
    def b_manager(self) -> User:
        return self.member(self.org_b, Role.MANAGER)

    def everyone_outside(self, organisation: Organisation) -> list[User]:
        return [
            user
            for slug, roles in self.members.items()
            if slug != organisation.slug
            for user in roles.values()
        ]


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    org_a = OrganisationFactory(
        slug="refugee-charity", name="Refugee Charity", kind=OrganisationKind.VOLUNTARY_ORGANISATION
    )
    org_b = OrganisationFactory(
        slug="city-council", name="City Council", kind=OrganisationKind.LOCAL_AUTHORITY
    )
    org_c = OrganisationFactory(
        slug="community-org",
        name="Community Organisation",
        kind=OrganisationKind.COMMUNITY_ORGANISATION,
    )
    members: dict[str, dict[str, User]] = {}
    for organisation in (org_a, org_b, org_c):
        members[organisation.slug] = {}
        for role in Role.values:
            user = UserFactory(username=f"{organisation.slug}-{role}")
            MembershipFactory(user=user, organisation=organisation, role=role)
            members[organisation.slug][role] = user
    return World(org_a=org_a, org_b=org_b, org_c=org_c, members=members)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def assert_disallowed(
    url: str,
    users: list[User | None],
    *,
    method: str = "get",
    data: dict | None = None,
    secret: str | None = None,
) -> None:
    """Each signed-in user of `users` gets the same 404 as a missing page, whether the record
    is another organisation's or the page is for a role they lack, so no answer confirms that
    something exists; anonymous visitors (None) are sent to sign in. Nobody gets a page
    containing `secret` (e.g. the other organisation's person's name)."""
    for user in users:
        response = getattr(client_for(user), method)(url, data or {})
        who = user.username if user else "anonymous"
        if user is None:
            assert response.status_code == 302, f"{who} got {response.status_code} for {url}"
            assert "/accounts/login/" in response["Location"], (
                f"{who} was redirected to {response['Location']}"
            )
        else:
            assert response.status_code == 404, f"{who} got {response.status_code} for {url}"
        if secret is not None:
            assert secret not in response.content.decode(errors="replace"), (
                f"{who} saw the secret at {url}"
            )


@pytest.fixture
def in_scope():  # type: ignore[no-untyped-def]
    """`with in_scope(user):` runs code in the scope of the user's first organisation."""

    def enter(user: User):  # type: ignore[no-untyped-def]
        membership = user.memberships.select_related("organisation").first()
        return organisation_scope(
            organisation_id=membership.organisation_id, user_id=user.pk, role=membership.role
        )

    return enter


@pytest.fixture
def slow_clock(monkeypatch):  # type: ignore[no-untyped-def]
    """Set-password links' clock moves on two seconds each time it is read, as it can between
    the e-mail and the page on a busy server: a page must show the very link it e-mailed."""
    from datetime import datetime, timedelta

    from pathmark.accounts.links import SetPasswordTokens

    start, reads = datetime.now(), [0]  # noqa: DTZ005 (Django's tokens count naive local time)

    def now(self: SetPasswordTokens) -> datetime:
        reads[0] += 1
        return start + timedelta(seconds=2 * reads[0])

    monkeypatch.setattr(SetPasswordTokens, "_now", now)
    return reads


@pytest.fixture
def system():  # type: ignore[no-untyped-def]
    with system_scope("test"):
        yield


def run_assessment(  # type: ignore[no-untyped-def]
    user,
    organisation: Organisation,
    person: Person,
    *,
    answer: str = "agree",
    assessed_on: date = date(2025, 6, 1),
    slug: str = "integration-journey",
):
    """Completes an assessment through the services as `user` of `organisation`, answering
    `answer` wherever an item offers it, as a caseworker would."""
    from pathmark.assessments import services as assessment_services
    from pathmark.assessments.selectors import instrument_of
    from pathmark.instruments.services import instrument_version_for

    instrument = instrument_of(instrument_version_for(slug))
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk, role="caseworker"):
        assessment = assessment_services.start_assessment(
            by=user,
            organisation=organisation,
            person=person,
            instrument_slug=slug,
            mode="caseworker_led",
            language="en",
            assessed_on=assessed_on,
        )
        for domain in instrument.domains:
            assessment_services.save_answers(
                by=user,
                organisation=organisation,
                assessment=assessment,
                domain_id=domain.id,
                answers={item.id: answer for item in domain.items if item.option(answer)},
            )
        return assessment_services.complete_assessment(
            by=user, organisation=organisation, assessment=assessment
        )


@pytest.fixture(autouse=True)
def _interface_language_does_not_leak():  # type: ignore[no-untyped-def]
    """Each test starts in the default language and leaves no other active: a view or
    service that activates a language (a printout, an e-mail in the person's language) must not
    change what the next test reads, whichever order the tests run in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
