"""Importing and exporting HSDS 3.0 packages: the specification's own example, refusals that
name file, row and field and leave the database as it was, idempotent re-runs, and the
round trip export -> import into an empty directory -> export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pathmark.directory import hsds, hsds_mapping
from pathmark.directory.models import (
    Address,
    Attribute,
    DirectoryOrganisation,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from pathmark.directory.packages import MODELS
from pathmark.directory.services import export_package, import_package
from pathmark.organisations.scoping import system_scope

from .conftest import EXAMPLE, add_location, make_service

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def directory_counts() -> dict[str, int]:
    with system_scope("test"):
        counts = {name: model._base_manager.count() for name, model in MODELS.items()}
        counts["themes"] = Service.themes.through.objects.count()
        return counts


def refused(path: Path) -> list[hsds.Problem]:
    before = directory_counts()
    with pytest.raises(hsds.PackageError) as caught:
        import_package(by=None, organisation=None, path=path)
    assert directory_counts() == before, "a refused package changed the directory"
    return caught.value.problems


def empty_directory() -> None:
    with system_scope("test"):
        for model in reversed(list(MODELS.values())):
            model._base_manager.all().delete()


def package_files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


@pytest.mark.django_db
def test_specification_json_example_imports_with_its_ids():
    result = import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    assert result.form == "json"
    assert result.created == 19  # every record but the change history (metadata), not kept
    assert result.not_kept == {"metadata": 1}
    with system_scope("test"):
        service = Service.objects.get(pk=SERVICE_ID)
        assert service.name == "Community Counselling"
        assert service.minimum_age == 12 and service.maximum_age == 100
        assert service.organization_id == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
        phone = Phone.objects.get(pk="1554f2e2-a373-45db-a3fa-9fc48a61c15e")
        # One phone listed under the service, its location, contact and organisation.
        assert phone.service_id == SERVICE_ID
        assert phone.location_id == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
        assert phone.contact_id == "1e7efce3-639b-4880-940c-b95cd30cdb50"
        assert Attribute.objects.get().link_id == SERVICE_ID
        assert service.staff_languages == ["ur"]


@pytest.mark.django_db
def test_importing_twice_changes_nothing():
    import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    again = import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == 19


@pytest.mark.django_db
def test_specification_csv_example_is_refused_for_its_dangling_references(example_csv):
    problems = refused(example_csv)
    assert [p.format() for p in problems] == [
        "locations.csv, row 2, organization_id: 985e4a42-bd9f-4edc-911d-0243a4640aca is not "
        "the id of any organization in the package or the directory",
        "contacts.csv, row 2, organization_id: ae67a707-5893-4225-b0b1-320ab9cb596b is not "
        "the id of any organization in the package or the directory",
        "contacts.csv, row 2, service_at_location_id: 93eaf18d-1cd2-4ec7-bffb-3c9172ee5070 "
        "is not the id of any service_at_location in the package or the directory",
        "taxonomy_terms.csv, row 2, taxonomy_id: 07ff6aee-a219-438c-b694-d2fcb6c5373b is not "
        "the id of any taxonomy in the package or the directory",
    ]


def repair_references(folder: Path) -> None:
    """The CSV example with its four dangling references pointed at rows it holds."""
    replacements = {
        "locations.csv": [
            ("985e4a42-bd9f-4edc-911d-0243a4640aca", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
        ],
        "contacts.csv": [
            ("ae67a707-5893-4225-b0b1-320ab9cb596b", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"),
            ("93eaf18d-1cd2-4ec7-bffb-3c9172ee5070", "e94c9f38-1e8f-4564-91d4-d53501ab1765"),
        ],
        "taxonomy_terms.csv": [
            ("07ff6aee-a219-438c-b694-d2fcb6c5373b", "5c4d79d7-cc55-470e-9f1f-8cad074e4892")
        ],
    }
    for name, pairs in replacements.items():
        text = (folder / name).read_text(encoding="utf-8")
        for old, new in pairs:
            text = text.replace(old, new)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.django_db
def test_csv_example_with_its_references_repaired_imports(example_csv):
    repair_references(example_csv)
    result = import_package(by=None, organisation=None, path=example_csv)
    assert result.form == "csv"
    assert result.not_kept == {"metadata": 1, "meta_table_description": 1}
    with system_scope("test"):
        assert Service.objects.get(pk=SERVICE_ID).status == "active"
        assert Address.objects.get().postal_code == "ABC 1234"


@pytest.mark.django_db
def test_missing_file_is_named(example_csv):
    (example_csv / "services.csv").unlink()
    problems = refused(example_csv)
    assert problems[0].file == "services.csv"
    assert "not in the package" in problems[0].message


@pytest.mark.django_db
def test_wrong_header_names_the_column(example_csv):
    path = example_csv / "services.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",status,", ",state,", 1), encoding="utf-8")
    problems = refused(example_csv)
    fields = {(p.file, p.row, p.field) for p in problems}
    assert ("services.csv", 1, "state") in fields
    assert ("services.csv", 1, "status") in fields  # a required column is missing


@pytest.mark.django_db
def test_bad_utf8_is_refused_with_its_line(example_csv):
    path = example_csv / "organizations.csv"
    path.write_bytes(path.read_bytes().replace(b"Example Org", b"Caf\xe9 Org", 1))
    problems = refused(example_csv)
    assert problems[0].file == "organizations.csv"
    assert "not UTF-8" in problems[0].message and "line 2" in problems[0].message


@pytest.mark.django_db
def test_unknown_foreign_key_names_row_and_field(example_csv):
    repair_references(example_csv)
    path = example_csv / "service_at_location.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "00000000-0000-4000-8000-000000000001"
        ),
        encoding="utf-8",
    )
    problems = refused(example_csv)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("service_at_location.csv", 2, "location_id")
    ]


@pytest.mark.django_db
def test_duplicate_id_names_both_rows(example_csv):
    repair_references(example_csv)
    path = example_csv / "phones.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    problems = refused(example_csv)
    assert [(p.file, p.row, p.field) for p in problems] == [("phones.csv", 3, "id")]
    assert "row 2" in problems[0].message


@pytest.mark.django_db
def test_invalid_enum_names_the_allowed_values(example_csv):
    repair_references(example_csv)
    path = example_csv / "services.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",active,", ",open,"), encoding="utf-8"
    )
    problems = refused(example_csv)
    assert [(p.file, p.row, p.field) for p in problems] == [("services.csv", 2, "status")]
    assert "temporarily closed" in problems[0].message


@pytest.mark.django_db
def test_json_document_problem_names_where_in_the_document(tmp_path):
    document = json.loads((EXAMPLE / "service_full.json").read_text(encoding="utf-8"))
    document["service_at_locations"][0]["location"]["location_type"] = "in town"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    problems = refused(path)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("service.json", "service_at_locations.0.location", "location_type")
    ]


@pytest.mark.django_db
def test_a_refused_upload_after_a_good_one_leaves_the_first(example_csv):
    import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    (example_csv / "services.csv").write_text("id,name\n", encoding="utf-8")
    refused(example_csv)


@pytest.mark.django_db
def test_export_import_export_gives_the_same_package(world, tmp_path):
    import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    service = make_service(
        world.org_a,
        eligible_genders=["woman"],
        eligible_languages=["ar", "ti"],
        eligible_postcode_areas=["NB1"],
        places_per_month=12,
        usual_wait_days=14,
        interpreting_offered=True,
        taking_referrals=False,
        minimum_age=16,
    )
    with system_scope("test"):
        service.themes.set(
            TaxonomyTerm.objects.filter(code__in=["english-esol", "women-and-girls"])
        )
    add_location(service)
    first = tmp_path / "first"
    second = tmp_path / "second"
    export_package(by=None, organisation=world.org_a, folder=first)
    empty_directory()
    assert directory_counts()["service"] == 0
    import_package(by=None, organisation=None, path=first)
    export_package(by=None, organisation=world.org_a, folder=second)
    assert package_files(first) == package_files(second)
    with system_scope("test"):
        again = Service.objects.get(pk=service.pk)
        assert again.theme_slugs == ["english-esol", "women-and-girls"]
        assert again.eligible_languages == ["ar", "ti"]
        assert (again.places_per_month, again.usual_wait_days) == (12, 14)
        assert again.interpreting_offered and not again.taking_referrals
        assert again.organization.organisation == world.org_a


@pytest.mark.django_db
def test_export_is_a_valid_package_by_the_official_schemas(world, tmp_path):
    service = make_service(world.org_a, eligible_genders=["woman"])
    add_location(service)
    export_package(by=None, organisation=None, folder=tmp_path / "out")
    package = hsds.read_package(tmp_path / "out")
    assert set(package.rows("service")) == {service.pk}
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in descriptor["resources"]} == {
        p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".csv"
    }


@pytest.mark.django_db
def test_confidential_location_is_exported_only_by_its_organisation(world, tmp_path):
    refuge = make_service(world.org_a, name="Women's refuge")
    hidden = add_location(refuge, confidential=True)
    export_package(by=None, organisation=world.org_b, folder=tmp_path / "b")
    export_package(by=None, organisation=None, folder=tmp_path / "anyone")
    export_package(by=None, organisation=world.org_a, folder=tmp_path / "a")
    for outsider in ("b", "anyone"):
        text = "".join(package_files(tmp_path / outsider).values())
        assert refuge.pk in text  # listed and referable
        assert hidden.pk not in text and "Secret Street" not in text
    own = "".join(package_files(tmp_path / "a").values())
    assert hidden.pk in own and "Secret Street" in own
    with system_scope("test"):
        assert Location.objects.filter(pk=hidden.pk, is_confidential=True).exists()
    term = hsds_mapping.FACT_BY_CODE["confidential-location"].term_id
    assert term in own


@pytest.mark.django_db
def test_confidential_flag_survives_the_round_trip(world, tmp_path):
    refuge = make_service(world.org_a, name="Women's refuge")
    hidden = add_location(refuge, confidential=True)
    export_package(by=None, organisation=world.org_a, folder=tmp_path / "a")
    empty_directory()
    import_package(by=None, organisation=None, path=tmp_path / "a")
    with system_scope("test"):
        assert Location.objects.get(pk=hidden.pk).is_confidential
        assert ServiceAtLocation.objects.filter(location_id=hidden.pk).exists()


@pytest.mark.django_db
def test_unknown_fact_value_is_refused(world, tmp_path):
    service = make_service(world.org_a, eligible_genders=["woman"])
    export_package(by=None, organisation=None, folder=tmp_path / "out")
    path = tmp_path / "out" / "attributes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",woman", ",women"), encoding="utf-8")
    problems = refused(tmp_path / "out")
    assert [(p.file, p.field) for p in problems] == [("attributes.csv", "value")]
    assert "'women' is not a gender" in problems[0].message
    assert service.pk


@pytest.mark.django_db
def test_import_is_audited():
    from pathmark.audit.models import AuditEvent

    import_package(by=None, organisation=None, path=EXAMPLE / "service_full.json")
    event = AuditEvent.objects.get(action="directory.imported")
    assert event.actor_username == "command line"
    assert event.extra["services"] == 1


@pytest.mark.django_db
def test_command_imports_and_refuses(tmp_path, capsys, example_csv):
    call_command("directory", "import-hsds", str(EXAMPLE / "service_full.json"))
    assert "19 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="4 problems"):
        call_command("directory", "import-hsds", str(example_csv))
    assert "locations.csv, row 2, organization_id" in capsys.readouterr().out
    call_command("directory", "export-hsds", str(tmp_path / "out"), "--json")
    written = json.loads(capsys.readouterr().out)
    assert written["files"]["services.csv"] == 1
    with system_scope("test"):
        assert DirectoryOrganisation.objects.count() == 1
        assert Taxonomy.objects.filter(name="Pathmark integration themes").exists()
