"""The evidence bank: everyone in the partnership reads it, an organisation's managers and
administrators keep their own interventions, edits never overwrite silently, and evidence
files are checked, kept privately and downloaded only by members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pathmark.audit.models import AuditEvent
from pathmark.evidence import services
from pathmark.evidence.models import EvidenceItem, Intervention
from pathmark.organisations.models import Role
from pathmark.testing import client_for

DETAILS = services.Details(
    title="Welcome walks",
    description="Volunteers walk newcomers round the town's services in their first month.",
    themes=["understanding-how-things-work"],
    intervention_type="basic_assistance",
    place="Northbridge",
    place_characteristics=["new_immigration"],
    reaches="Families in their first month",
    hard_to_reach=["women_at_home"],
)


@pytest.fixture
def settings_private(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PATHMARK_PRIVATE_MEDIA = tmp_path
    return tmp_path


@pytest.fixture
def walks(world) -> Intervention:  # type: ignore[no-untyped-def]
    return services.add_intervention(
        by=world.member(world.org_a, Role.MANAGER), organisation=world.org_a, details=DETAILS
    )


def test_a_manager_adds_an_intervention_and_every_member_reads_it(world, walks):
    assert AuditEvent.objects.filter(action="evidence.intervention_added").exists()
    for reader in (world.b_caseworker, world.member(world.org_c, Role.ANALYST)):
        client = client_for(reader)
        assert "Welcome walks" in client.get("/evidence/").content.decode()
        page = client.get(f"/evidence/{walks.pk}/").content.decode()
        assert "Volunteers walk newcomers" in page and "/edit/" not in page


def test_only_the_organisations_managers_and_administrators_change_it(world, walks):
    for outsider in (
        world.a_caseworker,
        world.member(world.org_b, Role.MANAGER),
        world.member(world.org_a, Role.ANALYST),
    ):
        client = client_for(outsider)
        assert client.get(f"/evidence/{walks.pk}/edit/").status_code == 404
        assert client.post(f"/evidence/{walks.pk}/funding/", {}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.change_intervention(
            by=world.member(world.org_b, Role.MANAGER),
            organisation=world.org_b,
            intervention=walks,
            details=DETAILS,
            expected_version=walks.version,
        )


def test_two_editors_never_overwrite_each_other(world, walks):
    manager = world.member(world.org_a, Role.MANAGER)
    services.change_intervention(
        by=manager,
        organisation=world.org_a,
        intervention=walks,
        details=services.Details(**{**DETAILS.__dict__, "place": "Northbridge and Eastfield"}),
        expected_version=1,
    )
    with pytest.raises(ValidationError) as stale:
        services.change_intervention(
            by=manager,
            organisation=world.org_a,
            intervention=walks,
            details=services.Details(**{**DETAILS.__dict__, "place": "Elsewhere"}),
            expected_version=1,
        )
    assert stale.value.code == "stale"
    walks.refresh_from_db()
    assert walks.place == "Northbridge and Eastfield" and walks.version == 2


def test_bad_details_name_the_field(world):
    with pytest.raises(ValidationError) as refused:
        services.add_intervention(
            by=world.member(world.org_a, Role.MANAGER),
            organisation=world.org_a,
            details=services.Details(**{**DETAILS.__dict__, "title": " ", "themes": ["no-such"]}),
        )
    assert set(refused.value.message_dict) == {"title", "themes"}


def test_funding_is_recorded_and_cannot_end_before_it_starts(world, walks):
    manager = world.member(world.org_a, Role.MANAGER)
    client = client_for(manager)
    client.post(
        f"/evidence/{walks.pk}/funding/",
        {
            "funder": "Synthetic Fund",
            "amount": "12000",
            "starts_on": "2025-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert walks.funding.get().amount == Decimal("12000")
    with pytest.raises(ValidationError):
        services.add_funding(
            by=manager,
            organisation=world.org_a,
            intervention=walks,
            funder="X",
            amount=Decimal(1),
            starts_on=date(2025, 2, 1),
            ends_on=date(2025, 1, 1),
        )


def test_a_file_is_checked_kept_privately_and_downloaded_by_members_only(
    world, walks, settings_private
):
    manager = client_for(world.member(world.org_a, Role.MANAGER))
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 synthetic", content_type="application/pdf")
    manager.post(
        f"/evidence/{walks.pk}/evidence/", {"kind": "file", "title": "Year report", "file": pdf}
    )
    item = EvidenceItem.objects.get()
    stored = settings_private / "evidence" / item.stored_as
    assert stored.read_bytes() == b"%PDF-1.4 synthetic"
    response = client_for(world.b_caseworker).get(f"/evidence/items/{item.pk}/")
    assert (
        response.status_code == 200 and b"".join(response.streaming_content) == stored.read_bytes()
    )
    assert "attachment" in response["Content-Disposition"]
    from django.test import Client

    assert Client().get(f"/evidence/items/{item.pk}/").status_code == 302  # sign in first
    # A program named as a document, and a file of a kind not kept, are refused.
    for name, body in (("report.pdf", b"MZ\x90\x00"), ("tool.exe", b"MZ\x90\x00")):
        manager.post(
            f"/evidence/{walks.pk}/evidence/",
            {"kind": "file", "title": "x", "file": SimpleUploadedFile(name, body)},
        )
    assert EvidenceItem.objects.count() == 1
    asked = manager.post(f"/evidence/items/{item.pk}/remove/")
    assert "Remove this evidence?" in asked.content.decode() and EvidenceItem.objects.exists()
    manager.post(f"/evidence/items/{item.pk}/remove/", {"confirm": "yes"})
    assert not EvidenceItem.objects.exists()


def test_the_list_exports_and_filters(world, walks):
    client = client_for(world.b_caseworker)
    assert (
        "Welcome walks"
        not in client.get("/evidence/", {"intervention_type": "school"}).content.decode()
    )
    assert "Welcome walks" in client.get("/evidence/", {"q": "volunteers"}).content.decode()
    csv = client.get("/evidence/", {"export": "csv"}).content.decode()
    assert "Welcome walks" in csv and "Northbridge" in csv


def test_the_shortlist_explains_each_score(world, walks):
    page = client_for(world.b_caseworker).get("/evidence/shortlist/").content.decode()
    assert "Welcome walks" in page and "pieces of evidence" in page and "of 100" in page
