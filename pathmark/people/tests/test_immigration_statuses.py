"""Administrators keep the partnership's list of immigration status categories."""

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.people.models import ImmigrationStatus
from pathmark.testing import assert_disallowed, client_for


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
