"""The host organisation's administrators keep the partnership's list of immigration status
categories; other administrators read it."""

import pytest

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.people.models import ImmigrationStatus
from pathmark.testing import assert_disallowed, client_for


@pytest.fixture(autouse=True)
def council_hosts(world):  # type: ignore[no-untyped-def]
    world.org_b.is_partnership_host = True
    world.org_b.save(update_fields=["is_partnership_host"])


def test_administrator_adds_a_category_that_appears_on_the_registration_form(world):
    admin = world.member(world.org_b, Role.ADMINISTRATOR)
    response = client_for(admin).post(
        "/people/immigration-statuses/",
        {"label": "Afghan relocation scheme (ARAP)", "is_active": "on"},
    )
    assert response.status_code == 302
    status = ImmigrationStatus.objects.get(label="Afghan relocation scheme (ARAP)")
    assert status.slug == "afghan-relocation-scheme-arap"
    assert (
        "Afghan relocation scheme"
        in client_for(world.a_caseworker).get("/people/register/").content.decode()
    )
    assert AuditEvent.objects.filter(action="reference.immigration_status_saved").exists()


def test_retired_category_is_no_longer_offered(world):
    admin = world.member(world.org_b, Role.ADMINISTRATOR)
    status = ImmigrationStatus.objects.get(slug="bno")
    client_for(admin).post(f"/people/immigration-statuses/{status.pk}/", {"label": status.label})
    status.refresh_from_db()
    assert not status.is_active
    assert (
        f'value="{status.pk}"'
        not in client_for(world.a_caseworker).get("/people/register/").content.decode()
    )


def test_blank_category_is_refused(world):
    admin = world.member(world.org_b, Role.ADMINISTRATOR)
    response = client_for(admin).post("/people/immigration-statuses/", {"label": "   "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_only_administrators_manage_categories(world):
    others = [world.member(world.org_a, role) for role in Role.values if role != Role.ADMINISTRATOR]
    assert_disallowed("/people/immigration-statuses/", [None, *others])


def test_other_administrators_read_the_list_without_a_way_to_change_it(world):
    page = client_for(world.member(world.org_a, Role.ADMINISTRATOR)).get(
        "/people/immigration-statuses/"
    )
    text = page.content.decode()
    assert page.status_code == 200 and "British National (Overseas)" in text
    assert "Only the administrators of City Council" in text
    assert '<form method="post" novalidate' not in text


def test_each_change_keeps_a_version_shown_as_history(world):
    admin = world.member(world.org_b, Role.ADMINISTRATOR)
    status = ImmigrationStatus.objects.get(slug="bno")
    client = client_for(admin)
    client.post(f"/people/immigration-statuses/{status.pk}/", {"label": "BN(O) visa"})
    client.post(
        f"/people/immigration-statuses/{status.pk}/", {"label": "BN(O) visa", "is_active": "on"}
    )
    assert [(v.number, v.label, v.is_active) for v in status.versions.all()] == [
        (2, "BN(O) visa", True),
        (1, "BN(O) visa", False),
    ]
    page = client.get(f"/people/immigration-statuses/{status.pk}/").content.decode()
    assert "Renamed “British National (Overseas) visa” to “BN(O) visa”" in page
    assert "Back in use" in page
