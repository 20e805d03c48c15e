"""Reading cells the same way whatever spreadsheet wrote them, and writing cells no
spreadsheet will run."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from pathmark.transfer.tabular import (
    FORMULA_STARTS,
    PLAIN_NUMBER,
    CellError,
    TableError,
    neutralise,
    parse_date,
    read_csv,
    read_table,
    restore_text,
    write_csv,
)

TODAY = dt.date(2026, 1, 1)


def test_wrong_encoding_names_the_file_the_byte_and_the_row():
    data = "external_id,name\nX1,Zoë\n".encode("latin-1")
    with pytest.raises(TableError) as caught:
        read_csv(data, source="people.csv")
    assert str(caught.value) == (
        "people.csv: this is not UTF-8 text (byte 22 on row 2 cannot be read). Save the file "
        "as “CSV UTF-8” and upload it again."
    )


def test_byte_order_mark_and_semicolons_are_understood():
    table = read_csv("\ufeffExternal_ID;Name\n X1 ; Amal \n\n".encode(), source="p.csv")
    assert table.columns == ["external_id", "name"]
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, {"external_id": "X1", "name": "Amal"})
    ]


def test_an_empty_file_is_refused():
    with pytest.raises(TableError, match="the file is empty"):
        read_csv(b"\n\n", source="p.csv")


def test_a_file_of_another_type_is_refused(tmp_path):
    path = tmp_path / "people.ods"
    path.write_bytes(b"x")
    with pytest.raises(TableError, match=r"use a \.csv or \.xlsx file"):
        read_table(path)


def test_xlsx_first_sheet_is_read_with_dates_as_iso(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "date_of_birth", "count"])
    sheet.append(["X1", dt.datetime(1990, 4, 3), 3.0])
    workbook.create_sheet("ignored").append(["nothing"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    (row,) = read_table(path).rows
    assert row.cells == {"external_id": "X1", "date_of_birth": "1990-04-03", "count": "3"}


def test_a_broken_workbook_is_refused(tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TableError, match="not an Excel workbook"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-04-03", dt.date(2021, 4, 3)),
        ("44289", dt.date(2021, 4, 3)),
        ("44289.0", dt.date(2021, 4, 3)),
    ],
)
def test_iso_dates_and_excel_serials_are_read(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "03/04/2021",
            "ambiguous: the day and the month could be either way round; write it as YYYY-MM-DD.",
        ),
        (
            "3.4.21",
            "ambiguous: the day and the month could be either way round; write it as YYYY-MM-DD.",
        ),
        ("13/04/2021", "not a date Pathmark reads; write it as YYYY-MM-DD."),
        ("2021-02-30", "not a real date; write it as YYYY-MM-DD."),
        ("999999", "not a date; write it as YYYY-MM-DD."),
        ("2027-01-01", "in the future; check the date."),
    ],
)
def test_dates_that_cannot_be_read_for_sure_are_refused(text, message):
    with pytest.raises(CellError) as caught:
        parse_date(text, today=TODAY)
    assert str(caught.value) == message


@pytest.mark.parametrize("cell", ["=1+1", "+44", "-A1", "@SUM(A1)", "\tx", "\rx", "'x"])
def test_cells_a_spreadsheet_would_run_get_the_text_marker(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "-2.5", "2024-05-01", "plain", ""])
def test_numbers_dates_and_plain_text_are_left_alone(cell):
    assert neutralise(cell) == cell


@given(st.text())
def test_restoring_a_neutralised_cell_gives_back_what_was_written(cell):
    assert restore_text(neutralise(cell)) == cell


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_written_csv_cell_starts_like_a_formula(cells):
    written = write_csv(["column"] * len(cells), [cells])
    (row,) = list(csv.reader(io.StringIO(written, newline="")))[1:]
    for cell in row:
        assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.match(cell)
