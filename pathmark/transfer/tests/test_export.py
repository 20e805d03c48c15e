"""Export in the import formats: export → import into an empty organisation → export gives
the same files; and no exported cell can run as a spreadsheet formula."""

from __future__ import annotations

import io
import os
import stat
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from pathmark.assessments.models import Assessment, AssessmentMode, AssessmentStatus
from pathmark.assessments.selectors import instrument_of
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.testing import OrganisationFactory, PersonFactory
from pathmark.transfer.exporting import export_to_directory
from pathmark.transfer.importing import import_table
from pathmark.transfer.tabular import read_table, write_xlsx

from .conftest import JOURNEY


def export(user, organisation, directory: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Runs `pathmark export`'s writer as `user` and returns each file's text as written."""
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
        files = export_to_directory(directory, by=user, organisation=organisation)
    assert sorted(path.name for path in directory.iterdir()) == sorted(f.name for f in files)
    return {f.name: (directory / f.name).read_bytes().decode("utf-8") for f in files}


def import_files(user, organisation, directory):  # type: ignore[no-untyped-def]
    with organisation_scope(organisation_id=organisation.pk, user_id=user.pk):
        import_table(
            by=user,
            organisation=organisation,
            table=read_table(directory / "people.csv"),
            kind="people",
        )
        for path in sorted(directory.glob("assessments-*.csv")):
            slug = path.stem.removeprefix("assessments-")
            import_table(
                by=user,
                organisation=organisation,
                table=read_table(path),
                kind="assessments",
                instrument_version=instrument_version_for(slug),
            )
        if (directory / "referrals.csv").exists():
            import_table(
                by=user,
                organisation=organisation,
                table=read_table(directory / "referrals.csv"),
                kind="referrals",
            )


def make_records(organisation, user):  # type: ignore[no-untyped-def]
    version = instrument_version_for(JOURNEY)
    instrument = instrument_of(version)
    with system_scope("test: records to export"):
        awkward = PersonFactory(
            organisation=organisation, name='=HYPERLINK("http://x")', external_id=""
        )
        plain = PersonFactory(
            organisation=organisation,
            name='Amal, "Ami" Example',
            external_id="CRM-1",
            age_band="31-45",
        )
        PersonFactory(
            organisation=organisation,
            name="'quoted",
            external_id="-7",
            languages=[],
            date_of_birth=None,
        )
        for person, value, day in (
            (awkward, "agree", 1),
            (plain, "disagree", 2),
            (plain, "agree", 3),
        ):
            answers = {item.id: value for item in instrument.items}
            answers[instrument.items[0].id] = "prefer-not-to-say"
            from pathmark.instruments.scoring import score_responses

            scores = score_responses(instrument, answers)
            Assessment.objects.create(
                person=person,
                organisation=organisation,
                instrument_version=version,
                status=AssessmentStatus.COMPLETED,
                mode=AssessmentMode.WITH_INTERPRETER,
                language="ar",
                assessed_on=date(2024, 5, day),
                answers=answers,
                item_scores=scores.items,
                domain_scores=scores.domains,
                overall_score=scores.overall,
                stage=scores.stage or "",
                completed_at="2024-05-04T10:00:00Z",
            )


def test_export_then_import_into_an_empty_organisation_then_export_gives_the_same_files(
    world, tmp_path
):
    make_records(world.org_a, world.a_manager)
    first = export(world.a_manager, world.org_a, tmp_path / "first")
    assert sorted(first) == ["assessments-integration-journey.csv", "people.csv", "referrals.csv"]
    assert first["people.csv"].count("\r\n") == 4
    empty = OrganisationFactory(slug="newcomer")
    import_files(world.a_manager, empty, tmp_path / "first")
    assert export(world.a_manager, empty, tmp_path / "second") == first


def test_exported_csv_cells_cannot_run_as_formulas(world, tmp_path):
    make_records(world.org_a, world.a_manager)
    people = export(world.a_manager, world.org_a, tmp_path)["people.csv"]
    assert "'=HYPERLINK" in people
    assert ",=" not in people and "\n=" not in people
    # The text marker is doubled on a cell that starts with one, and plain negative numbers
    # are not touched (here an id that looks like one).
    assert "''quoted" in people
    assert "\r\n-7," in people


def test_exported_xlsx_cells_cannot_run_as_formulas(tmp_path):
    dangerous = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "-3", "plain"]
    data = write_xlsx([("sheet", ["column"], [[cell] for cell in dangerous])])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for cell in cells)
    assert [cell.value for cell in cells] == [
        # XML stores a carriage return as a line feed.
        "'=1+1",
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\tx",
        "'\nx",
        "-3",
        "plain",
    ]
    path = tmp_path / "back.xlsx"
    path.write_bytes(data)
    assert [row.cells["column"] for row in read_table(path).rows] == [
        "=1+1",
        "+1",
        "-1+2",
        "@SUM(A1)",
        "x",
        "x",
        "-3",
        "plain",
    ]


def test_exported_files_are_readable_by_their_owner_only(world, tmp_path):
    make_records(world.org_a, world.a_manager)
    old_umask = os.umask(0o022)
    try:
        export(world.a_manager, world.org_a, tmp_path / "out")
    finally:
        os.umask(old_umask)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "out").iterdir()}
    assert modes and set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
