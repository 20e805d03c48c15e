"""A report's tables as CSV or XLSX, written through the shared safe spreadsheet cells
(`core.spreadsheets`), so no cell of an export can run as a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pathmark.core.spreadsheets import SafeCsvWriter, safe_cells

from .selectors import Table


def tables_as_csv(tables: Sequence[Table]) -> str:
    """Each table under its title, a blank line between tables."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    for number, table in enumerate(tables):
        if number:
            buffer.write("\r\n")
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return buffer.getvalue()


def tables_as_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table (named by its title, cut to the 31 characters a sheet name takes)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for number, table in enumerate(tables, start=1):
        title = "".join(c for c in table.title if c not in "[]:*?/\\")[:28] or "table"
        if title in used:
            title = f"{title[:25]} {number}"
        used.add(title)
        sheet = workbook.create_sheet(title=title)
        sheet.append(safe_cells([table.title]))
        sheet.append(safe_cells(table.columns))
        for row in table.rows:
            sheet.append(safe_cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
