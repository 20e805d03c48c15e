"""Cells that are safe to open in a spreadsheet: the one way every export writes text that a
person may have typed (OWASP "CSV injection"), and the way imports read it back.

A spreadsheet runs a cell as a formula when it starts with `= + - @`, a tab or a carriage
return. It also splits a cell where it sees its list separator (a comma in English locales,
a semicolon in most of continental Europe, a tab or a line end when text is pasted), and each
piece is then a cell of its own: `Smith;=cmd|' /C calc'!A0` becomes a live `=cmd…` cell. So:

- every CSV cell that holds a separator of any kind (or a quote, or spaces at an end) is
  quoted, so a spreadsheet that honours quotes never splits it, whatever its separator;
- every piece a spreadsheet could split out that would start like a formula (after any
  spaces) gets the text marker `'` in front of it, so even a spreadsheet that ignores the
  quotes (a paste, an import with quoting turned off) reads text.

`restore_text` undoes `neutralise` exactly, so an exported file re-imports unchanged. Pure
Python (no Django), type-checked strictly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The spreadsheet convention for "this cell is text": a leading apostrophe, which Excel and
# LibreOffice hide. Export adds it; import removes it.
TEXT_MARKER = "'"
# Where a spreadsheet may split a cell: either list separator, a tab, a line end.
SEPARATORS = ",;\t\r\n"
PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")

_RISKY = "=+\\-@\t\r'"  # a formula start, or the marker itself (so restoring is exact)
# The start of the cell or of a piece after a separator, past any spaces, where a risky
# character follows: the marker goes here.
_PIECE_AT_RISK = re.compile(rf"(?:^|(?<=[{SEPARATORS}]))( *)(?=[{_RISKY}])")
# The marker `_PIECE_AT_RISK` put in, or (at the very start) any leading marker, which a
# spreadsheet's own "this is text" apostrophe also is.
_ADDED_MARKER = re.compile(rf"^'|(?:^|(?<=[{SEPARATORS}]))( *)'(?=[{_RISKY}])")


def neutralise(cell: str) -> str:
    """`cell` with the text marker in front of every piece that would start like a formula.
    Plain numbers (an answer of -2) are numbers, not formulas, and are left alone."""
    if not cell or PLAIN_NUMBER.match(cell):
        return cell
    return _PIECE_AT_RISK.sub(r"\1" + TEXT_MARKER, cell)


def restore_text(cell: str) -> str:
    """Undo `neutralise` (and a spreadsheet's own leading text marker)."""
    if TEXT_MARKER not in cell:
        return cell
    return _ADDED_MARKER.sub(r"\1", cell)


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


# Python's `csv` quotes only the delimiter in use; a reader whose separator is the other one
# would split the cell. These make a field quoted whatever the reader's separator.
_NEEDS_QUOTES = re.compile(r'[,;\t\r\n"]|^\s|\s$')


def csv_field(cell: str) -> str:
    """One neutralised cell as RFC 4180 writes it, quoted when any spreadsheet could split it."""
    cell = neutralise(cell)
    if _NEEDS_QUOTES.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


class SafeCsvWriter:
    """Writes comma-separated rows with RFC 4180 line ends, every cell through `csv_field`:
    every CSV that Pathmark writes goes through here."""

    def __init__(self, stream: _Writable) -> None:
        self._stream = stream

    def writerow(self, cells: Sequence[str]) -> None:
        fields = [csv_field(cell) for cell in cells]
        if fields == [""]:
            fields = ['""']  # as `csv.writer` does: an empty line would read as no row at all
        self._stream.write(",".join(fields) + "\r\n")

    def writerows(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_cells(cells: Sequence[str]) -> list[str]:
    """A row of cells neutralised, for writers other than CSV (an XLSX sheet)."""
    return [neutralise(cell) for cell in cells]
