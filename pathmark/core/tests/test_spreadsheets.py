"""Every cell an export writes is inert in any spreadsheet, whatever its list separator, and
reads back exactly as it was."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathmark.core.spreadsheets import (
    FORMULA_STARTS,
    PLAIN_NUMBER,
    SafeCsvWriter,
    csv_field,
    neutralise,
    restore_text,
)

# Text rich in the characters that matter here.
risky_text = st.text(alphabet=st.sampled_from(list("=+-@'\t\r\n,; \"ab1")) | st.characters())


def _written(cells: list[str]) -> str:
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerow(cells)
    return buffer.getvalue()


@given(risky_text)
def test_restoring_gives_back_exactly_what_was_neutralised(cell):
    assert restore_text(neutralise(cell)) == cell


@pytest.mark.parametrize("separator", [",", ";"])
@given(cells=st.lists(risky_text, min_size=1, max_size=4))
def test_no_cell_read_with_either_separator_starts_like_a_formula(separator, cells):
    read = next(csv.reader(io.StringIO(_written(cells), newline=""), delimiter=separator))
    for cell in read:
        # Leading line ends and tabs are whitespace a spreadsheet skips; what follows them
        # must not start a formula (a reader ignoring quotes can leave a bare "\r\n").
        content = cell.lstrip(" \t\r\n")
        assert not content.startswith(FORMULA_STARTS) or PLAIN_NUMBER.match(content), cell


@given(risky_text)
def test_every_piece_a_careless_split_could_make_is_inert(cell):
    written = neutralise(cell)
    if PLAIN_NUMBER.match(written):
        return
    pieces = [written]
    for separator in ",;\t\r\n":
        pieces = [part for piece in pieces for part in piece.split(separator)]
    for piece in pieces:
        assert not piece.lstrip(" ").startswith(("=", "+", "-", "@")), (cell, piece)


def test_a_formula_behind_a_semicolon_is_quoted_and_marked():
    assert csv_field("Smith;=cmd|' /C calc'!A0;") == "\"Smith;'=cmd|' /C calc'!A0;\""


@given(st.lists(risky_text, min_size=1, max_size=4))
def test_the_csv_reads_back_to_the_same_cells(cells):
    read = next(csv.reader(io.StringIO(_written(cells), newline="")))
    assert [restore_text(cell) for cell in read] == cells
