"""Wasted skills (professions brought against work now) and the Needs split by area."""

from __future__ import annotations

from pathmark.organisations.models import Role
from pathmark.reports.figures import Dimension
from pathmark.reports.selectors import Filters, Viewer, needs_report
from pathmark.reports.skills import skills_report
from pathmark.testing import PersonFactory, client_for, run_assessment


def _nurses(world, organisation, count: int, **work: str) -> None:  # type: ignore[no-untyped-def]
    for _number in range(count):
        PersonFactory(
            organisation=organisation,
            profession_sector="health",
            profession_recognition="not_started",
            **work,
        )


def _cell(report, title: str, row: str, column: str) -> str:  # type: ignore[no-untyped-def]
    table = next(t for t in report.tables if t.title == title)
    line = next(r for r in table.rows if r[0] == row)
    return line[table.columns.index(column)]


def test_professionals_working_outside_their_profession_are_counted(world):
    _nurses(world, world.org_a, 6, work_status="full_time", work_sector="care")
    _nurses(world, world.org_a, 2, work_status="full_time", work_sector="health")
    _nurses(world, world.org_a, 4, work_status="not_working")
    report = skills_report(
        viewer=Viewer(world.a_manager, world.org_a),
        filters=Filters(organisation_id=world.org_a.pk),
        audit=False,
    )
    title = "Profession brought, by work now"
    assert _cell(report, title, "Health", "People") == "12"
    assert _cell(report, title, "Health", "Working in another sector") == "6"
    assert _cell(report, title, "Health", "Working in it") == "2"
    assert _cell(report, title, "Health", "Not working") == "4"
    assert report.bars == [("Health", round(100 * 10 / 12, 1))]


def test_small_counts_are_hidden_outside_the_organisation(world):
    _nurses(world, world.org_a, 6, work_status="full_time", work_sector="care")
    _nurses(world, world.org_a, 2, work_status="full_time", work_sector="health")
    report = skills_report(
        viewer=Viewer(world.b_caseworker, world.org_b), filters=Filters(), audit=False
    )
    title = "Profession brought, by work now"
    assert _cell(report, title, "Health", "Working in it") == "hidden"
    # Not recoverable by subtraction from the row's total and the other cell.
    assert "hidden" in (
        _cell(report, title, "Health", "People"),
        _cell(report, title, "Health", "Working in another sector"),
    )


def test_the_page_and_its_export_work_for_an_analyst(world):
    _nurses(world, world.org_a, 6, work_status="full_time", work_sector="care")
    analyst = client_for(world.member(world.org_a, Role.ANALYST))
    page = analyst.get("/reports/skills/")
    assert page.status_code == 200 and "Wasted skills" in page.content.decode()
    csv = analyst.get("/reports/skills/", {"export": "csv"}).content.decode()
    assert "Profession brought, by work now" in csv


def test_needs_splits_by_postcode_district(world):
    for number, postcode in enumerate(["NB1 1AA"] * 5 + ["NB2 2BB"] * 5):
        person = PersonFactory(organisation=world.org_a, postcode=postcode, name=f"Area {number}")
        run_assessment(world.a_caseworker, world.org_a, person, answer="disagree")
    report = needs_report(
        viewer=Viewer(world.a_manager, world.org_a),
        filters=Filters(organisation_id=world.org_a.pk, group_by=Dimension.AREA),
        audit=False,
    )
    first = report.tables[0]
    labels = [row[0] for row in first.rows]
    assert "Postcode district NB1" in labels and "Postcode district NB2" in labels
    assert next(row for row in first.rows if row[0] == "Postcode district NB1")[1] == "5"
