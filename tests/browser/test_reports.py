"""The analyst's reports on the demo partnership, in a real Chromium: dashboards with their
tables, CSV, XLSX and the funder PDF, and no count under the minimum shown across organisations."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pathmark.accounts.models import User
from pathmark.demo.services import load_demo_partnership
from pathmark.organisations.models import Organisation
from pathmark.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def priya():  # type: ignore[no-untyped-def]
    load_demo_partnership(people=60)
    Organisation.objects.update(require_two_factor=False)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    return User.objects.get(username="priya")


def test_priya_reads_needs_and_outcomes_and_takes_them_away(page, sign_in, priya):
    sign_in(priya)
    expect(page.get_by_role("heading", name="Your reports")).to_be_visible()
    page.get_by_role("link", name="Needs", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Needs")
    expect(page.locator("figure.chart svg rect.bar").first).to_be_attached()

    page.get_by_label("Split by").select_option("organisation")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table").first
    expect(table).to_contain_text("Northbridge Refugee Support")
    # Outside the organisation that owns the people, no count under 5 is shown.
    for cell in table.locator("tbody td").all_inner_texts():
        if re.fullmatch(r"\d+", cell.strip()):
            assert int(cell) == 0 or int(cell) >= 5, cell

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(row and row[0] == "Northbridge Refugee Support" for row in rows)

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX").click()
    assert xlsx_download.value.suggested_filename == "pathmark-needs.xlsx"
    workbook = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert any(
        cell.value == "Northbridge Refugee Support"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )

    page.goto("/reports/outcomes/")
    expect(page.locator("figure.chart svg circle.estimate").first).to_be_attached()
    expect(page.get_by_role("table").first).to_contain_text("Overall")

    page.goto("/reports/")
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the funder report").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf


def test_a_caseworker_has_no_reports(page, sign_in, priya):
    sign_in(User.objects.get(username="amira"))
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    response = page.goto("/reports/needs/")
    assert response is not None and response.status == 404
