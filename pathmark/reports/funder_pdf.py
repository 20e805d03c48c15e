"""The funder report as a PDF, drawn on the server with fpdf2: pure Python, on PyPI, kept up to
date, no system libraries (no Cairo or Pango as WeasyPrint needs, no headless browser), and its
drawing primitives are enough for the report's bar and interval charts. The figures are the
report pages' own (already suppressed for the reader), so the PDF cannot say more than they do.

fpdf2's built-in fonts cover Latin-1 only; the PDF is written in English (the funders'
language) until a font covering Arabic script is shipped with Pathmark.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from fpdf import FPDF

from .selectors import Report, Table

BRAND = (31, 95, 140)
INK = (30, 30, 30)
MUTED = (120, 120, 120)
PAGE_WIDTH = 180  # mm between the margins of A4 portrait

_REPLACEMENTS = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}


def latin(text: str) -> str:
    """Text the built-in fonts can draw: typographic quotes and dashes as plain ones, any
    other character outside Latin-1 as its closest plain letter, or `?`."""
    text = "".join(_REPLACEMENTS.get(char, char) for char in text)
    plain = unicodedata.normalize("NFKD", text)
    return "".join(
        char if ord(char) < 256 else "?" for char in plain if not unicodedata.combining(char)
    )


class FunderReport(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, latin(f"Pathmark funder report - page {self.page_no()}"), align="C")


def funder_pdf(
    *, needs: Report, outcomes: Report, organisation: str, period: str, minimum: int | None
) -> bytes:
    pdf = FunderReport(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 18)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, latin("What the partnership learns"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, latin(f"{organisation}, {period}"), new_x="LMARGIN", new_y="NEXT")
    note = (
        f"Counts below {minimum} are hidden, with enough others that none can be worked out "
        "from the rest."
        if minimum
        else "Figures about the organisation's own people: nothing is hidden."
    )
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        5,
        latin(
            "Aggregate figures only; no person can be identified. " + note + " Host norms "
            "shipped with Pathmark are illustrative until replaced with local survey data."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*INK)

    _heading(pdf, "Needs: people below the host norm")
    _people_line(pdf, needs)
    _bar_chart(pdf, needs.bars)
    _table(pdf, needs.tables[-1])

    _heading(pdf, "Outcomes: change between first and latest assessment")
    _people_line(pdf, outcomes)
    _interval_chart(pdf, outcomes.intervals)
    for table in outcomes.tables:
        _table(pdf, table)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 8, latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", size=10)


def _people_line(pdf: FPDF, report: Report) -> None:
    text = (
        "The number of people is hidden because it is small."
        if report.people is None
        else f"{report.people} people in this part of the report."
    )
    pdf.multi_cell(0, 6, latin(text), new_x="LMARGIN", new_y="NEXT")


def _bar_chart(pdf: FPDF, bars: Sequence[tuple[str, float | None]]) -> None:
    """Share below the norm per domain, 0-100 %."""
    label_width, plot_width, row = 60.0, 100.0, 6.0
    _room(pdf, row * (len(bars) + 2))
    left, top = pdf.l_margin, pdf.get_y() + 2
    pdf.set_font("Helvetica", size=8)
    for index, (label, share) in enumerate(bars):
        y = top + index * row
        pdf.set_xy(left, y)
        pdf.cell(label_width - 2, row, latin(label)[:40], align="R")
        if share is None:
            pdf.set_xy(left + label_width, y)
            pdf.cell(30, row, "hidden")
            continue
        pdf.set_fill_color(*BRAND)
        pdf.rect(left + label_width, y + 1, plot_width * share / 100, row - 2, style="F")
        pdf.set_xy(left + label_width + plot_width * share / 100 + 1, y)
        pdf.cell(20, row, f"{share:.0f}%")
    bottom = top + len(bars) * row
    pdf.set_draw_color(*MUTED)
    for tick in (0, 25, 50, 75, 100):
        x = left + label_width + plot_width * tick / 100
        pdf.line(x, top, x, bottom)
        pdf.set_xy(x - 5, bottom)
        pdf.cell(10, 4, f"{tick}%", align="C")
    pdf.set_y(bottom + 6)


def _interval_chart(
    pdf: FPDF, marks: Sequence[tuple[str, float | None, float | None, float | None]]
) -> None:
    """Each estimate as a dot with its 95 % interval as a line, zero marked."""
    label_width, plot_width, row = 60.0, 100.0, 6.0
    _room(pdf, row * (len(marks) + 2))
    values = [abs(v) for _label, *rest in marks for v in rest if v is not None]
    extent = max(values, default=1.0) or 1.0
    left, top = pdf.l_margin, pdf.get_y() + 2

    def x_of(value: float) -> float:
        return left + label_width + (value + extent) / (2 * extent) * plot_width

    pdf.set_font("Helvetica", size=8)
    pdf.set_draw_color(*BRAND)
    pdf.set_fill_color(*INK)
    for index, (label, estimate, low, high) in enumerate(marks):
        y = top + index * row
        pdf.set_xy(left, y)
        pdf.cell(label_width - 2, row, latin(label)[:40], align="R")
        if estimate is None or low is None or high is None:
            pdf.set_xy(left + label_width, y)
            pdf.cell(40, row, "hidden or too few to tell")
            continue
        pdf.set_line_width(0.8)
        pdf.line(x_of(low), y + row / 2, x_of(high), y + row / 2)
        pdf.set_line_width(0.2)
        pdf.ellipse(x_of(estimate) - 1.2, y + row / 2 - 1.2, 2.4, 2.4, style="F")
    bottom = top + len(marks) * row
    pdf.set_draw_color(*MUTED)
    pdf.line(x_of(0), top, x_of(0), bottom)
    for tick in (-extent, 0.0, extent):
        pdf.set_xy(x_of(tick) - 8, bottom)
        pdf.cell(16, 4, f"{tick:+.1f}" if tick else "0", align="C")
    pdf.set_y(bottom + 6)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 6, latin(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=7)
    with pdf.table(
        width=PAGE_WIDTH, line_height=4, text_align="LEFT", first_row_as_headings=True
    ) as grid:
        for cells in [table.columns, *table.rows]:
            line = grid.row()
            for cell in cells:
                line.cell(latin(cell))
    pdf.ln(3)


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
