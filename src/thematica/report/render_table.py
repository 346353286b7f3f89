"""The demographics table as Markdown, CSV, an HTML fragment or a Word document.

Every format prints the same lines: a variable's label, then (indented) its summary
statistics, its categories with ``n (%)`` and its missing count. Percentages and
statistics have one decimal, rounded half up as tables in papers are (``5 (45.5)``).
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematica.report.table1 import format_number

if TYPE_CHECKING:
    from thematica.report.table1 import Table1, Variable

HEADER = ("Characteristic", "n (%)")
NOTE = "Percentages are of participants with a value recorded; Missing counts the others."
NO_VALUE = "–"
# Markdown renderers drop leading spaces in a cell; no-break spaces keep the indent.
INDENT = "\u00a0\u00a0"


@dataclass(frozen=True)
class Line:
    kind: str  # "variable", "summary", "category" or "missing"
    label: str
    value: str


def lines(table: Table1) -> list[Line]:
    """The table's lines, top to bottom, with their cells as printed."""
    out = []
    for var in table.variables:
        out.append(Line("variable", var.label, ""))
        out.extend(Line("summary", label, value) for label, value in summary_cells(var))
        out.extend(
            Line("category", row.category, count_cell(row.n, var.present)) for row in var.rows
        )
        if var.missing:
            out.append(Line("missing", "Missing", str(var.missing)))
    return out


def has_missing(table: Table1) -> bool:
    return any(v.missing for v in table.variables)


def summary_cells(var: Variable) -> list[tuple[str, str]]:
    """The statistics ``var.shown`` asks for: mean and SD share a ``Mean (SD)`` row."""
    stats = var.summary
    if stats is None:
        return []
    cells = []
    for name in var.shown:
        if name == "mean" and "sd" in var.shown:
            cells.append(("Mean (SD)", f"{fixed(stats.mean)} ({fixed(stats.sd)})"))
        elif name == "mean":
            cells.append(("Mean", fixed(stats.mean)))
        elif name == "sd" and "mean" not in var.shown:
            cells.append(("SD", fixed(stats.sd)))
        elif name == "median":
            median = stats.median
            whole = median is not None and float(median).is_integer()
            cells.append(("Median", format_number(median) if whole else fixed(median)))
        elif name == "range":
            if stats.min is None or stats.max is None:
                cells.append(("Range", NO_VALUE))
            else:
                cells.append(("Range", f"{format_number(stats.min)}–{format_number(stats.max)}"))
    return cells


def fixed(value: float | None) -> str:
    """One decimal, rounded half up: ``28.65`` -> ``28.7``."""
    if value is None:
        return NO_VALUE
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def count_cell(n: int, present: int) -> str:
    """``5 (45.5)``: a count and its percentage of ``present``, computed exactly."""
    if not present:
        return str(n)
    percent = (Decimal(100 * n) / Decimal(present)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{n} ({percent})"


def to_markdown(table: Table1) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [table.heading, "", f"| {HEADER[0]} | {HEADER[1]} |", "| :--- | ---: |"]
    for line in lines(table):
        if line.kind == "variable":
            out.append(f"| **{cell(line.label)}** | |")
        else:
            out.append(f"| {INDENT}{cell(line.label)} | {cell(line.value)} |")
    if has_missing(table):
        out += ["", NOTE]
    return "\n".join(out) + "\n"


def to_csv(table: Table1) -> str:
    """One row per printed line under its variable: ``Variable,Characteristic,n (%)``,
    with CRLF line ends as RFC 4180 and the codebook export have them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Variable", *HEADER])
    current = ""
    for line in lines(table):
        if line.kind == "variable":
            current = line.label
        else:
            writer.writerow([current, line.label, line.value])
    return buffer.getvalue()


def to_html(table: Table1) -> str:
    """A self-contained ``<table>`` fragment (inline styles only), every text escaped."""
    e = html.escape
    out = [
        '<table class="thematica-table1">',
        f"<caption>{e(table.heading)}</caption>",
        "<thead>",
        f'<tr><th scope="col" style="text-align: left">{e(HEADER[0])}</th>'
        f'<th scope="col" style="text-align: right">{e(HEADER[1])}</th></tr>',
        "</thead>",
    ]
    body_open = False
    for line in lines(table):
        if line.kind == "variable":
            if body_open:
                out.append("</tbody>")
            out += [
                "<tbody>",
                f'<tr><th scope="rowgroup" colspan="2" style="text-align: left">'
                f"{e(line.label)}</th></tr>",
            ]
            body_open = True
        else:
            out.append(
                f'<tr><td style="padding-left: 1.5em">{e(line.label)}</td>'
                f'<td style="text-align: right">{e(line.value)}</td></tr>'
            )
    if body_open:
        out.append("</tbody>")
    if has_missing(table):
        out.append(f'<tfoot><tr><td colspan="2">{e(NOTE)}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out) + "\n"


def to_docx(table: Table1, path: str | Path) -> Path:
    """A Word document holding the table (see :func:`add_to_docx`)."""
    from docx import Document

    path = Path(path)
    document = Document()
    document.core_properties.title = table.heading
    add_to_docx(document, table)
    document.save(str(path))
    return path


def add_to_docx(document: Any, table: Table1) -> None:
    """Add the table to a Word document: the title in Word's Caption style (so Word's
    table of figures lists it), then a real table whose header row repeats on every
    page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document.add_paragraph(table.heading, style="Caption")
    printed = lines(table)
    grid = document.add_table(rows=1 + len(printed), cols=2)
    grid.style = "Table Grid"
    header = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(header.cells, HEADER, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    header.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row, line in zip(grid.rows[1:], printed, strict=True):
        label, value = (c.paragraphs[0] for c in row.cells)
        run = label.add_run(line.label)
        if line.kind == "variable":
            run.bold = True
        else:
            label.paragraph_format.left_indent = Cm(0.5)
            value.add_run(line.value)
            value.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if has_missing(table):
        document.add_paragraph(NOTE)
