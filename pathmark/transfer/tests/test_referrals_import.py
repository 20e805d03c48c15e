"""`pathmark import referrals` and referrals.csv in the export: checked like every import,
each id looked up, and an imported referral shares nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pathmark.directory.models import DirectoryOrganisation, Service
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Person
from pathmark.referrals import states
from pathmark.referrals.models import Referral
from pathmark.testing import OrganisationFactory, PersonFactory
from pathmark.transfer.importing import ImportRefused, import_table
from pathmark.transfer.tabular import Table, read_csv, read_table

from .test_export import export

HEADER = "person_external_id,service_id,referred_on,status,status_on\n"


@pytest.fixture
def service(world):  # type: ignore[no-untyped-def]
    entry = DirectoryOrganisation.objects.create(organisation=world.org_c, name="C")
    return Service.objects.create(organization=entry, name="Conversation club")


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    with system_scope("test"):
        return PersonFactory(organisation=world.org_a, external_id="CRM-1")


def run(world, text: str, tmp_path, **options) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "referrals.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "import", "referrals", "--organisation", world.org_a.slug, str(path), stdout=out, **options
    )
    return out.getvalue()


def test_a_referral_imports_and_a_rerun_changes_nothing(world, person, service, tmp_path):
    text = HEADER + f"CRM-1,{service.pk},2025-02-01,completed,2025-04-30\n"
    assert "1 created" in run(world, text, tmp_path)
    referral = Referral._base_manager.get(person=person)
    assert (referral.status, str(referral.status_on)) == (states.COMPLETED, "2025-04-30")
    assert referral.receiving_organisation == world.org_c
    assert "already in Pathmark" in run(world, text, tmp_path)
    assert Referral._base_manager.count() == 1


def test_a_new_status_updates_the_referral(world, person, service, tmp_path):
    run(world, HEADER + f"CRM-1,{service.pk},2025-02-01,sent,\n", tmp_path)
    run(world, HEADER + f"CRM-1,{service.pk},2025-02-01,withdrawn,2025-03-01\n", tmp_path)
    referral = Referral._base_manager.get(person=person)
    assert referral.status == states.WITHDRAWN


def test_an_unknown_service_id_is_refused_with_its_row_and_column(world, person, service, tmp_path):
    text = HEADER + f"CRM-1,{service.pk},2025-02-01,sent,\nCRM-1,no-such-service,2025-02-02,sent,\n"
    out = StringIO()
    path = tmp_path / "referrals.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "import", "referrals", "--organisation", world.org_a.slug, str(path), stdout=out
        )
    assert "row 3, column service_id: no service with this id in the directory" in out.getvalue()
    assert not Referral._base_manager.exists()


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("CRM-404,{service},2025-02-01,sent,", "person_external_id"),
        ("CRM-1,{service},2025-02-01,draft,", "status"),
        ("CRM-1,{service},2025-02-01,lost,", "status"),
        ("CRM-1,{service},2025-02-01,sent,2025-01-01", "status_on"),
        ("CRM-1,{service},2099-02-01,sent,", "referred_on"),
        ("CRM-1,,2025-02-01,sent,", "service_id"),
    ],
)
def test_bad_rows_are_refused_naming_the_column(world, person, service, row, column):
    table = read_table_text(HEADER + row.format(service=service.pk) + "\n")
    with (
        organisation_scope(organisation_id=world.org_a.pk),
        pytest.raises(ImportRefused) as refused,
    ):
        import_table(by=None, organisation=world.org_a, table=table, kind="referrals")
    assert [(p.row, p.column) for p in refused.value.result.problems.listed] == [(2, column)]


def test_another_organisations_person_is_not_found(world, service):
    with system_scope("test"):
        PersonFactory(organisation=world.org_b, external_id="CRM-B")
    table = read_table_text(HEADER + f"CRM-B,{service.pk},2025-02-01,sent,\n")
    with organisation_scope(organisation_id=world.org_a.pk), pytest.raises(ImportRefused):
        import_table(by=None, organisation=world.org_a, table=table, kind="referrals")


def test_an_imported_open_referral_shares_nothing(world, person, service, tmp_path):
    run(world, HEADER + f"CRM-1,{service.pk},2025-02-01,accepted,\n", tmp_path)
    with organisation_scope(organisation_id=world.org_c.pk):
        assert not Person.objects.filter(pk=person.pk).exists()
        assert not Referral.objects.exists()


def test_export_then_import_into_an_empty_organisation_gives_the_same_referrals(
    world, person, service, tmp_path
):
    run(world, HEADER + f"CRM-1,{service.pk},2025-02-01,completed,2025-04-30\n", tmp_path)
    first = export(world.a_manager, world.org_a, tmp_path / "first")
    assert (
        first["referrals.csv"].splitlines()[1]
        == f"CRM-1,{service.pk},2025-02-01,completed,2025-04-30"
    )
    empty = OrganisationFactory(slug="newcomer")
    with organisation_scope(organisation_id=empty.pk):
        for kind in ("people", "referrals"):
            import_table(
                by=None,
                organisation=empty,
                table=read_table(tmp_path / "first" / f"{kind}.csv"),
                kind=kind,
            )
    second = export(world.a_manager, empty, tmp_path / "second")
    assert second["referrals.csv"] == first["referrals.csv"]


def read_table_text(text: str) -> Table:
    return read_csv(text.encode("utf-8"), source="referrals.csv")
