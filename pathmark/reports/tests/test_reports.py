"""The needs and outcomes reports: who may see them, that small numbers never leave the
organisation that owns the people, that the figures are the hand-worked ones, and that the
pages, exports and the command agree."""

from __future__ import annotations

import io
import json
import re
import statistics

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from scipy import stats

from pathmark.audit.models import AuditEvent
from pathmark.organisations.models import Role
from pathmark.reports.figures import Dimension, RowStatus
from pathmark.reports.selectors import Filters, Viewer, needs_report, outcomes_report
from pathmark.testing import assert_disallowed, client_for

pytestmark = pytest.mark.django_db

REPORT_URLS = ["reports:index", "reports:needs", "reports:outcomes"]


def analyst(world, organisation):  # type: ignore[no-untyped-def]
    return world.member(organisation, Role.ANALYST)


def counts_shown(report) -> list[int]:  # type: ignore[no-untyped-def]
    """Every whole number a report's tables show (counts; shares end in % and are skipped)."""
    return [
        int(cell)
        for table in report.tables
        for row in table.rows
        for cell in row[1:]
        if re.fullmatch(r"\d+", cell)
    ]


@pytest.mark.parametrize("name", REPORT_URLS)
def test_analyst_and_manager_see_the_report_pages(world, partnership, name):
    for role in (Role.ANALYST, Role.MANAGER):
        response = client_for(world.member(world.org_c, role)).get(reverse(name))
        assert response.status_code == 200


@pytest.mark.parametrize("name", REPORT_URLS)
def test_roles_without_reports_get_the_404_of_a_missing_page(world, name):
    assert_disallowed(
        reverse(name),
        [
            world.member(world.org_a, Role.CASEWORKER),
            world.member(world.org_a, Role.SERVICE_PROVIDER),
            world.member(world.org_a, Role.ADMINISTRATOR),
            None,
        ],
    )


def test_the_pages_show_no_names(world, partnership):
    client = client_for(analyst(world, world.org_c))
    for name in ("reports:needs", "reports:outcomes"):
        page = client.get(reverse(name), {"group_by": "organisation"}).content.decode()
        assert "Secretname" not in page


def test_outside_the_organisation_a_small_group_is_hidden_and_cannot_be_subtracted(
    world, partnership
):
    filters = Filters(group_by=Dimension.ORGANISATION)
    report = needs_report(viewer=Viewer(analyst(world, world.org_c), world.org_c), filters=filters)
    table = report.tables[0]
    a_row = next(row for row in table.rows if row[0] == world.org_a.name)
    total_row = next(row for row in table.rows if row[0] == "Total")
    assert a_row[1] == "hidden"
    # A's 3 would be total - B's 12: so B's count or the total is hidden too.
    b_row = next(row for row in table.rows if row[0] == world.org_b.name)
    assert "hidden" in (b_row[1], total_row[1])
    assert all(count == 0 or count >= 5 for count in counts_shown(report))


def test_the_owning_organisation_sees_its_own_small_counts(world, partnership):
    filters = Filters(group_by=Dimension.NONE, organisation_id=world.org_a.pk)
    report = needs_report(viewer=Viewer(analyst(world, world.org_a), world.org_a), filters=filters)
    assert not report.suppressing
    assert report.tables[0].rows[0][1] == "3"


def test_another_organisation_filtering_on_a_small_one_sees_nothing_small(world, partnership):
    filters = Filters(organisation_id=world.org_a.pk)
    report = outcomes_report(
        viewer=Viewer(analyst(world, world.org_c), world.org_c), filters=filters
    )
    assert report.suppressing
    assert {row.status for row in report.rows} == {RowStatus.SUPPRESSED}
    assert all(row.count is None and row.estimate is None for row in report.rows)


def test_outcome_change_is_the_mean_with_a_t_interval(world, partnership):
    report = outcomes_report(
        viewer=Viewer(analyst(world, world.org_b), world.org_b),
        filters=Filters(organisation_id=world.org_b.pk, domain="overall"),
    )
    (row,) = [r for r in report.rows if r.measure == "change"]
    changes = [i - 2 for i in range(12)]
    mean = statistics.mean(changes)
    half = stats.t.ppf(0.975, 11) * statistics.stdev(changes) / 12**0.5
    assert row.count == 12
    assert row.estimate == pytest.approx(mean)
    assert (row.low, row.high) == (pytest.approx(mean - half), pytest.approx(mean + half))
    # Assessed a year apart: progress per year is the change divided by 365/365.25 years.
    (progress,) = [r for r in report.rows if r.measure == "progress_per_year"]
    assert progress.estimate == pytest.approx(mean * 365.25 / 365)


def test_too_few_people_to_tell_within_the_owning_organisation(world, partnership):
    report = outcomes_report(
        viewer=Viewer(analyst(world, world.org_a), world.org_a),
        filters=Filters(organisation_id=world.org_a.pk, domain="overall"),
    )
    (row,) = [r for r in report.rows if r.measure == "change"]
    assert (row.status, row.count, row.estimate) == (RowStatus.TOO_FEW, 3, None)


def test_exports_hold_the_page_numbers_and_are_audited(world, partnership):
    client = client_for(analyst(world, world.org_c))
    url = reverse("reports:needs")
    before = AuditEvent.objects.count()
    csv_text = client.get(url, {"group_by": "organisation", "export": "csv"}).content.decode()
    assert world.org_b.name in csv_text and "hidden" in csv_text
    response = client.get(url, {"group_by": "organisation", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert world.org_b.name in cells and "hidden" in cells
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions == ["report.exported", "report.exported"]


def test_viewing_a_report_is_audited_with_its_filters(world, partnership):
    client_for(analyst(world, world.org_c)).get(reverse("reports:outcomes"), {"group_by": "gender"})
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == "report.viewed"
    assert event.extra["report"] == "outcomes" and event.extra["group_by"] == "gender"


def test_a_bad_filter_names_its_field(world):
    response = client_for(analyst(world, world.org_c)).get(
        reverse("reports:outcomes"), {"date_from": "2026-01-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "Choose a date on or after the start date." in response.content.decode()


def test_the_command_prints_what_the_selector_gives(world, partnership):
    out = io.StringIO()
    call_command(
        "reports",
        "outcomes",
        "--json",
        "--group-by",
        "organisation",
        "--domain",
        "overall",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    expected = outcomes_report(
        viewer=Viewer(None, None),
        filters=Filters(group_by=Dimension.ORGANISATION, domain="overall"),
        audit=False,
    )
    assert printed["rows"] == [row.as_json() for row in expected.rows]
    a_rows = [row for row in printed["rows"] if row["group"] == str(world.org_a.pk)]
    assert a_rows and all(row["status"] == "suppressed" for row in a_rows)


def test_the_command_refuses_a_bad_filter_with_the_option_name(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--to: Choose a date on or after"):
        call_command("reports", "outcomes", "--from", "2026-01-01", "--to", "2025-01-01")


def test_a_large_cohort_runs_in_the_background_and_is_kept_for_reuse(
    world, partnership, settings, django_capture_on_commit_callbacks
):
    from pathmark.reports.models import ReportRun, RunStatus

    settings.PATHMARK_REPORT_BACKGROUND_ASSESSMENTS = 10
    client = client_for(analyst(world, world.org_c))
    url = reverse("reports:outcomes")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url, {"group_by": "organisation"})
    assert "Report being prepared" in first.content.decode()
    (run,) = ReportRun.objects.all()
    assert run.status == RunStatus.COMPLETE and run.done == run.total == 30
    page = client.get(url, {"group_by": "organisation"}).content.decode()
    assert world.org_b.name in page and "Report being prepared" not in page
    assert ReportRun.objects.count() == 1
    # Another organisation's analysts are shown their own run (what they may see differs).
    with django_capture_on_commit_callbacks(execute=True):
        client_for(analyst(world, world.org_a)).get(url, {"group_by": "organisation"})
    assert ReportRun.objects.count() == 2


def test_a_stored_report_is_not_reused_once_the_data_changed(
    world, partnership, settings, django_capture_on_commit_callbacks
):
    from datetime import date

    from pathmark.reports.models import ReportRun

    from .conftest import completed

    settings.PATHMARK_REPORT_BACKGROUND_ASSESSMENTS = 10
    client = client_for(analyst(world, world.org_c))
    url = reverse("reports:needs")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    completed(partnership[1][0], date(2026, 6, 1), 90)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert ReportRun.objects.count() == 2


def pdf_text(content: bytes) -> list[str]:
    """The strings drawn on the pages of an fpdf2 PDF (its content streams inflated)."""
    import zlib

    drawn: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            text = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
        drawn += re.findall(r"\((.*?)\) ?Tj", text)
    return drawn


def test_the_funder_pdf_holds_the_page_figures_and_nothing_small(world, partnership):
    client = client_for(analyst(world, world.org_c))
    before = AuditEvent.objects.count()
    response = client.get(reverse("reports:funder"), {"date_from": "2025-01-01"})
    assert response["Content-Type"] == "application/pdf"
    drawn = pdf_text(response.content)
    assert "What the partnership learns" in drawn and "Economic stability" in drawn
    assert "15 people in this part of the report." in drawn
    assert all(int(t) == 0 or int(t) >= 5 for t in drawn if re.fullmatch(r"\d+", t))
    assert "Secretname" not in " ".join(drawn)
    assert AuditEvent.objects.filter(pk__gt=before).get().action == "report.exported"


def test_a_funder_pdf_about_a_small_organisation_hides_its_count(world, partnership):
    response = client_for(analyst(world, world.org_c)).get(
        reverse("reports:funder"), {"organisation": world.org_a.pk}
    )
    drawn = pdf_text(response.content)
    assert "The number of people is hidden because it is small." in drawn
    assert not any(t in drawn for t in ("3", "3 people in this part of the report."))
