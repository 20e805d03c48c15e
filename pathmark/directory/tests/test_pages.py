"""The directory's pages: every member searches and reads services; only the organisation
running a service edits it, never silently over someone else's change; a confidential
address is seen only within its organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pathmark.audit.models import AuditEvent
from pathmark.directory.models import Location, Service, TaxonomyTerm
from pathmark.directory.packages import ensure_pathmark_taxonomies
from pathmark.organisations.models import Role
from pathmark.organisations.scoping import system_scope
from pathmark.testing import assert_disallowed, client_for

from .conftest import add_location, make_service


@pytest.fixture
def esol(world):  # type: ignore[no-untyped-def]
    service = make_service(
        world.org_a,
        name="Tigrinya ESOL club",
        description="Conversation practice for beginners",
        eligible_postcode_areas=["NB1"],
        places_per_month=10,
    )
    with system_scope("test"):
        ensure_pathmark_taxonomies()
        service.themes.set(TaxonomyTerm.objects.filter(code="english-esol"))
        service.languages.create(code="ti", name="Tigrinya")
    add_location(service, postcode="NB1 2AB")
    return service


@pytest.fixture
def refuge(world):  # type: ignore[no-untyped-def]
    service = make_service(world.org_a, name="Safe house for women", eligible_genders=["woman"])
    add_location(service, confidential=True)
    return service


def search(user, **params):  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("directory:search"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_every_member_finds_a_service_by_theme_language_place_and_words(world, esol):
    analyst = world.member(world.org_c, Role.ANALYST)
    assert "Tigrinya ESOL club" in search(analyst, theme="english-esol")
    assert "Tigrinya ESOL club" in search(analyst, language="ti")
    assert "Tigrinya ESOL club" in search(analyst, area="NB1 4XY")
    assert "Tigrinya ESOL club" in search(analyst, q="conversation beginners")
    assert "Tigrinya ESOL club" in search(
        analyst, domain="indicators-of-integration:language-and-communication"
    )


@pytest.mark.django_db
def test_search_leaves_out_what_does_not_match(world, esol):
    user = world.b_caseworker
    assert "Tigrinya ESOL club" not in search(user, theme="housing")
    assert "Tigrinya ESOL club" not in search(user, language="fa")
    assert "Tigrinya ESOL club" not in search(user, area="ZZ9 9ZZ")
    assert "Tigrinya ESOL club" not in search(user, q="plumbing")


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(esol):
    assert_disallowed(reverse("directory:search"), [None])
    assert_disallowed(reverse("directory:detail", args=[esol.pk]), [None])


@pytest.mark.django_db
def test_confidential_address_is_shown_only_within_its_organisation(world, refuge):
    url = reverse("directory:detail", args=[refuge.pk])
    outside = client_for(world.b_caseworker).get(url).content.decode()
    assert "Safe house for women" in outside  # listed and referable
    assert "Secret Street" not in outside
    inside = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER)).get(url).content.decode()
    assert "Secret Street" in inside


@pytest.mark.django_db
def test_another_organisation_cannot_edit_a_service(world, esol):
    url = reverse("directory:edit", args=[esol.pk])
    others = [world.member(org, role) for org in (world.org_b, world.org_c) for role in Role.values]
    assert_disallowed(url, [None, *others])
    assert_disallowed(url, others, method="post", data={"name": "Taken over"})
    with system_scope("test"):
        assert Service.objects.get(pk=esol.pk).name == "Tigrinya ESOL club"


def edit_data(client, service):  # type: ignore[no-untyped-def]
    """The edit form as it arrives, ready to change and post back."""
    form = client.get(reverse("directory:edit", args=[service.pk])).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value
    return data


@pytest.mark.django_db
def test_provider_edits_eligibility_capacity_languages_and_a_confidential_place(world, esol):
    provider = world.member(world.org_a, Role.SERVICE_PROVIDER)
    client = client_for(provider)
    data = edit_data(client, esol)
    data.update(
        {
            "eligible_genders": ["woman"],
            "eligible_languages": "Tigrinya, Amharic",
            "places_per_month": "6",
            "usual_wait_days": "21",
            "staff_languages": "Tigrinya, English",
            "interpreting_offered": "on",
            "themes": ["english-esol", "women-and-girls"],
            "is_confidential": "on",
        }
    )
    data.pop("taking_referrals", None)
    response = client.post(reverse("directory:edit", args=[esol.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with system_scope("test"):
        service = Service.objects.get(pk=esol.pk)
        assert service.eligible_genders == ["woman"]
        assert service.eligible_languages == ["ti", "am"]
        assert (service.places_per_month, service.usual_wait_days) == (6, 21)
        assert not service.taking_referrals and service.interpreting_offered
        assert service.staff_languages == ["en", "ti"]
        assert service.theme_slugs == ["english-esol", "women-and-girls"]
        assert Location.objects.get(service_at_locations__service=service).is_confidential
    event = AuditEvent.objects.get(action="directory.service_saved")
    assert event.actor == provider and "places_per_month" in event.extra["fields"]


@pytest.mark.django_db
def test_two_editors_never_overwrite_each_other_silently(world, esol):
    first = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER))
    second = client_for(world.member(world.org_a, Role.MANAGER))
    first_data = edit_data(first, esol)
    second_data = edit_data(second, esol)
    first_data["places_per_month"] = "4"
    assert first.post(reverse("directory:edit", args=[esol.pk]), first_data).status_code == 302
    second_data["name"] = "Renamed club"
    response = second.post(reverse("directory:edit", args=[esol.pk]), second_data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this service" in page
    assert "Places a month" in page and "4" in page
    with system_scope("test"):
        assert Service.objects.get(pk=esol.pk).name == "Tigrinya ESOL club"
    # Saving again, having seen the change, is deliberate and goes through.
    again = response.context["form"].data.copy()
    assert second.post(reverse("directory:edit", args=[esol.pk]), again).status_code == 302
    with system_scope("test"):
        assert Service.objects.get(pk=esol.pk).name == "Renamed club"


@pytest.mark.django_db
def test_a_bad_language_is_named(world, esol):
    client = client_for(world.member(world.org_a, Role.SERVICE_PROVIDER))
    data = edit_data(client, esol)
    data["staff_languages"] = "Klingonese"
    response = client.post(reverse("directory:edit", args=[esol.pk]), data)
    assert response.status_code == 200
    assert "Klingonese" in response.content.decode()


@pytest.mark.django_db
def test_search_page_in_arabic_reads_right_to_left(world, esol):
    from django.conf import settings

    client = client_for(world.b_caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("directory:search")).content.decode()
    assert 'dir="rtl"' in page
