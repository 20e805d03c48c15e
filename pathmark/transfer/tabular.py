"""Reading and writing the spreadsheets that carry records in and out of Pathmark.

No database or models, so the rules for cells can be tested on their own: CSV in UTF-8 (with
or without a byte-order mark, comma or semicolon) or the first sheet of an XLSX workbook; dates
only as ISO `YYYY-MM-DD` or Excel serial numbers, never guessed; and text cells that a
spreadsheet would run as a formula neutralised on the way out and restored on the way in.
Messages go through Django's gettext, in the language active when they are made (for a
background check or import, the uploader's, which its task activates).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Formula neutralising is shared by every export (`core.spreadsheets`); re-exported here for
# the readers and writers of this module and their tests.
from pathmark.core.spreadsheets import (
    FORMULA_STARTS,
    PLAIN_NUMBER,
    TEXT_MARKER,
    SafeCsvWriter,
    neutralise,
    restore_text,
    safe_cells,
)

__all__ = ["FORMULA_STARTS", "PLAIN_NUMBER", "TEXT_MARKER", "neutralise", "restore_text"]

MAX_PROBLEMS = 200
"""Problems kept and shown per file; the rest are counted, not listed."""

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Day and month in either order, with any common separator: 03/04/2021, 3.4.21, 03-04-2021.
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
SERIAL_NUMBER = re.compile(r"^\d{1,6}(?:\.0+)?$")
# Excel's day zero (its serials count the non-existent 29 February 1900, hence the 30th).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials from 1 January 1900 to 31 December 2199: anything else is not meant as a date.
EXCEL_SERIAL_RANGE = (1, 109_572)


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, wrong encoding, no header row)."""


class CellError(ValueError):
    """One cell cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class Problem:
    """One thing to fix: which row (as numbered in a spreadsheet, the header being row 1),
    which column, and what to do. `value` is what the cell held, for the person fixing the
    file; it is never stored."""

    row: int
    column: str
    message: str
    value: str = ""

    def format(self, source: str) -> str:
        """The problem as one line: file, row, column, then what to do."""
        where = {"source": source, "row": self.row, "column": self.column, "message": self.message}
        if self.row and self.column:
            return _("%(source)s, row %(row)s, column %(column)s: %(message)s") % where
        if self.row:
            return _("%(source)s, row %(row)s: %(message)s") % where
        if self.column:
            return _("%(source)s, column %(column)s: %(message)s") % where
        return _("%(source)s: %(message)s") % where

    def stored(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Problems:
    """Every problem found in a file, keeping the first `limit` and counting the rest."""

    limit: int = MAX_PROBLEMS
    listed: list[Problem] = field(default_factory=list)
    total: int = 0
    rows: set[int] = field(default_factory=set)

    def add(self, row: int, column: str, message: str, value: str = "") -> None:
        self.total += 1
        self.rows.add(row)
        if len(self.listed) < self.limit:
            self.listed.append(Problem(row, column, message, value))

    @property
    def not_listed(self) -> int:
        return self.total - len(self.listed)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Row:
    number: int
    """The row's number in the spreadsheet (the header is row 1)."""
    cells: dict[str, str]


@dataclass
class Table:
    """A header and its rows, every cell as stripped text; blank rows are skipped. `rows` is a
    list for a preview, and for a file a `FileRows`: read from the file again each time it is
    walked, so an import of half a million rows never holds them all."""

    source: str
    columns: list[str]
    rows: Sequence[Row] | FileRows

    def held(self) -> Table:
        """The table with its rows in memory: for a small file that is about to be deleted."""
        return Table(self.source, self.columns, list(self.rows))


class FileRows:
    """The rows of a table file, streamed from the file each time they are walked. `len()` is
    known from the pass `read_table` made to check the whole file first (its encoding, its
    size), so a file that cannot be read is refused before anything is imported from it."""

    def __init__(
        self,
        open_rows: Callable[[], Iterator[tuple[int, Sequence[str]]]],
        source: str,
        count: int,
    ) -> None:
        self._open_rows = open_rows
        self._source = source
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Row]:
        numbered = self._open_rows()
        header = _header(self._source, numbered)
        return _rows(header, numbered)


# --- Reading --------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    source: str | None = None,
    limit: int | None = None,
    max_rows: int | None = None,
    max_uncompressed: int | None = None,
) -> Table:
    """Read a .csv or .xlsx file (only the first `limit` rows, for a preview, as a list; else
    the rows are streamed from the file, see `FileRows`). Raises TableError naming the file
    and what to do, also when it holds more than `max_rows` rows or (a workbook) would expand
    to more than `max_uncompressed` bytes: reading stops there, so a small file that expands
    enormously cannot hold the worker."""
    name = source or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        open_rows: Callable[[], Iterator[tuple[int, Sequence[str]]]] = lambda: _csv_rows(  # noqa: E731
            path, name
        )
    elif suffix == ".xlsx":
        if max_uncompressed is not None:
            with path.open("rb") as handle:
                check_workbook(handle, source=name, max_uncompressed=max_uncompressed)
        open_rows = lambda: _xlsx_rows(path, name)  # noqa: E731
    else:
        if suffix:
            message = _("%(file)s: use a .csv or .xlsx file (this one ends in %(suffix)s).")
        else:
            message = _("%(file)s: use a .csv or .xlsx file (this one has no ending such as .csv).")
        raise TableError(message % {"file": name, "suffix": suffix})
    numbered = open_rows()
    header = _header(name, numbered)
    if limit is not None:
        return Table(name, header.columns, list(islice(_rows(header, numbered), limit)))
    # The checking pass: every row is read once (nothing kept) to count them and to refuse a
    # file that cannot be read, or has too many rows, before any of it is imported.
    count = 0
    for _row in _rows(header, numbered):
        count += 1
        if max_rows is not None and count > max_rows:
            raise TableError(
                _(
                    "%(file)s: more than %(limit)s rows, the most Pathmark imports from one "
                    "file. Split it into files of at most %(limit)s rows and import each."
                )
                % {"file": name, "limit": max_rows}
            )
    return Table(name, header.columns, FileRows(open_rows, name, count))


def read_csv(
    data: bytes, *, source: str, limit: int | None = None, max_rows: int | None = None
) -> Table:
    """A table from CSV bytes already in memory (a small upload, a test), read as a file is."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(data, source) from None
    numbered = _csv_text_rows(io.StringIO(text, newline=""), source)
    header = _header(source, numbered)
    rows = list(_rows(header, numbered))
    if max_rows is not None and len(rows) > max_rows:
        raise TableError(
            _(
                "%(file)s: more than %(limit)s rows, the most Pathmark imports from one "
                "file. Split it into files of at most %(limit)s rows and import each."
            )
            % {"file": source, "limit": max_rows}
        )
    return Table(source, header.columns, rows[:limit] if limit is not None else rows)


def _csv_rows(path: Path, source: str) -> Iterator[tuple[int, Sequence[str]]]:
    """The rows of a CSV file, read a line at a time (a byte-order mark dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield from _csv_text_rows(handle, source)
        except UnicodeDecodeError:
            raise _not_utf8(path.read_bytes(), source) from None


def _not_utf8(data: bytes, source: str) -> TableError:
    """The error for bytes that are not UTF-8, naming the first bad byte and its row."""
    try:
        data.decode("utf-8")
        start = len(data)
    except UnicodeDecodeError as error:
        start = error.start
    return TableError(
        _(
            "%(file)s: this is not UTF-8 text (byte %(byte)s on row %(row)s cannot be "
            "read). Save the file as “CSV UTF-8” and upload it again."
        )
        % {"file": source, "byte": start, "row": data[:start].count(b"\n") + 1}
    )


def _csv_text_rows(lines: IO[str], source: str) -> Iterator[tuple[int, Sequence[str]]]:
    """Rows of CSV text, numbered as a spreadsheet shows them (so a quoted cell spanning two
    lines does not shift the numbers of the rows after it); the separator is the first line's
    more common of `;` and `,`."""
    first_line = lines.readline()
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(chain([first_line], lines), delimiter=delimiter)
    return enumerate(reader, start=1)


def check_workbook(file: IO[bytes], *, source: str, max_uncompressed: int) -> None:
    """Refuses a workbook whose parts would expand past `max_uncompressed` bytes, from the
    sizes its zip directory declares (read without unpacking anything; a part that expands
    past its declared size fails its check when read)."""
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(file) as archive:
            expanded = sum(part.file_size for part in archive.infolist())
    except (BadZipFile, OSError, ValueError):
        raise TableError(
            _(
                "%(file)s: this is not an Excel workbook that can be read. Save it again as "
                ".xlsx, or as CSV UTF-8."
            )
            % {"file": source}
        ) from None
    if expanded > max_uncompressed:
        raise TableError(
            _(
                "%(file)s: this workbook unpacks to %(size)s, more than the %(limit)s Pathmark "
                "reads. Split it into smaller files, or save it as CSV UTF-8."
            )
            % {
                "file": source,
                "size": filesizeformat(expanded),
                "limit": filesizeformat(max_uncompressed),
            }
        )


def _xlsx_rows(path: Path, source: str) -> Iterator[tuple[int, Sequence[str]]]:
    """The first sheet's rows as text, read a row at a time (openpyxl's read-only mode)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise TableError(
            _(
                "%(file)s: this is not an Excel workbook that can be read. Save it again as "
                ".xlsx, or as CSV UTF-8."
            )
            % {"file": source}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [xlsx_cell_text(value) for value in values]
    finally:
        workbook.close()


def xlsx_cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: dates as ISO, whole numbers without
    a trailing `.0`."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class _Header:
    columns: list[str]
    width: int
    named: list[tuple[int, str]]
    every_column_named: bool


def _header(source: str, numbered: Iterator[tuple[int, Sequence[str]]]) -> _Header:
    """The first non-blank row, as lower-case column names; `numbered` is left after it."""
    header: list[str] | None = None
    for _number, cells in numbered:
        if any(cell.strip() for cell in cells):
            header = [restore_text(cell.strip()).strip().lower() for cell in cells]
            break
    if header is None:
        raise TableError(
            _("%(file)s: the file is empty. The first row must name the columns.")
            % {"file": source}
        )
    while header and not header[-1]:
        header.pop()
    named = [(index, column) for index, column in enumerate(header) if column]
    return _Header(header, len(header), named, len(named) == len(header))


def _rows(header: _Header, numbered: Iterator[tuple[int, Sequence[str]]]) -> Iterator[Row]:
    """The rows after the header, blank ones skipped."""
    width = header.width
    columns = header.columns
    named = header.named
    every_column_named = header.every_column_named
    # This loop runs for every cell of files of half a million rows, so each cell is
    # stripped once and the row built in one call where the header has no blank names.
    for number, cells in numbered:
        texts = list(map(str.strip, cells))
        if not any(texts):
            continue
        if len(texts) < width:
            texts += [""] * (width - len(texts))
        texts = [_unmarked(text) if TEXT_MARKER in text else text for text in texts]
        if every_column_named:
            values = dict(zip(columns, texts[:width], strict=True))
        else:
            values = {column: texts[index] for index, column in named}
        if len(cells) > width:
            extra = [cell for cell in cells[width:] if cell.strip()]
            if extra:
                # Surfaced as an "unnamed column" problem by the validators.
                values[""] = extra[0]
        yield Row(number, values)


def _unmarked(text: str) -> str:
    """A stripped cell without the text markers `neutralise` put in it."""
    return restore_text(text).strip()


# --- Cells ----------------------------------------------------------------------------------


def parse_date(text: str, *, today: dt.date | None = None, allow_future: bool = False) -> dt.date:
    """An ISO date or an Excel serial number; anything else is refused with what to write."""
    text = text.strip()
    iso = ISO_DATE.match(text)
    if iso:
        try:
            value = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise CellError(_("not a real date; write it as YYYY-MM-DD.")) from None
    elif SERIAL_NUMBER.match(text):
        serial = int(float(text))
        if not EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            raise CellError(_("not a date; write it as YYYY-MM-DD."))
        value = EXCEL_EPOCH + dt.timedelta(days=serial)
    else:
        day_month = DAY_MONTH_YEAR.match(text)
        if day_month:
            first, second = int(day_month[1]), int(day_month[2])
            if first <= 12 and second <= 12 and first != second:
                raise CellError(
                    _(
                        "ambiguous: the day and the month could be either way round; "
                        "write it as YYYY-MM-DD."
                    )
                )
        raise CellError(_("not a date Pathmark reads; write it as YYYY-MM-DD."))
    if not allow_future and value > (today or dt.date.today()):
        raise CellError(_("in the future; check the date."))
    return value


def parse_yes_no(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    raise CellError(_("write yes or no."))


def parse_number(text: str) -> int | float:
    cleaned = text.strip()
    if not PLAIN_NUMBER.match(cleaned):
        raise CellError(_("write a number, such as 3 or 2.5."))
    number = float(cleaned)
    return int(number) if number.is_integer() and "e" not in cleaned.lower() else number


def split_list(text: str) -> list[str]:
    """`;`-separated values, blanks dropped."""
    return [part.strip() for part in text.split(";") if part.strip()]


def format_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Writing --------------------------------------------------------------------------------


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text with every cell quoted and neutralised (`core.spreadsheets.SafeCsvWriter`)."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def iter_csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The same as `write_csv`, a few thousand rows at a time, for large exports."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 5000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[str]]]]) -> bytes:
    """An XLSX workbook, one sheet per (title, columns, rows). Every cell is written as text
    and neutralised, so no cell can be read back as a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(safe_cells(columns))
        for row in rows:
            sheet.append(safe_cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
