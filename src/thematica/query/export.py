"""Writing query results: CSV, Excel, Markdown and Word, chosen by the file's suffix.

>>> project.query.coding('"Warmth"').save("warmth.docx")
>>> project.query.matrix(by="attribute:primary_diagnosis").save("by-diagnosis.xlsx")

A table (a matrix) is a table in every format. Passages (a coding query's, a search's)
are a table in CSV and Excel, one row each; in Markdown and Word they read as a
document: a heading per passage naming its source, offsets, participant and time, then
the words, with the context before and after in lighter type.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thematica.errors import InvalidInput
from thematica.query.passages import COLUMNS, Passage
from thematica.text.clock import clock

SUFFIXES = (".csv", ".xlsx", ".md", ".docx")
# Excel keeps at most this many characters in a cell.
XLSX_CELL_LIMIT = 32767


def export_table(
    path: str | Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Path:
    """Write a table with a title (the sheet's name, the heading) to ``path``."""
    path = checked(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _csv(path, header, rows)
    elif suffix == ".xlsx":
        _xlsx(path, title, header, rows)
    elif suffix == ".md":
        path.write_text(_markdown_table(title, header, rows), encoding="utf-8")
    else:
        document = _document(title)
        _docx_table(document, header, rows)
        document.save(path)
    return path


def export_passages(path: str | Path, title: str, passages: Sequence[Passage]) -> Path:
    """Write passages to ``path``: a table in CSV and Excel, a document otherwise."""
    path = checked(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return export_table(path, title, COLUMNS, [p.row() for p in passages])
    if suffix == ".md":
        path.write_text(_markdown_passages(title, passages), encoding="utf-8")
        return path
    document = _document(title)
    for passage in passages:
        document.add_heading(heading(passage), level=2)
        paragraph = document.add_paragraph()
        before, after = _flat(passage.before), _flat(passage.after)
        if before:
            _light(paragraph.add_run(f"…{before} "))
        paragraph.add_run(_flat(passage.text)).bold = True
        if after:
            _light(paragraph.add_run(f" {after}…"))
        if passage.codes:
            document.add_paragraph("Codes: " + "; ".join(passage.codes))
    document.save(path)
    return path


def heading(passage: Passage) -> str:
    """``interview-03.txt [1200, 1264) · Mother 3 · 4:05``"""
    parts = [f"{passage.source} [{passage.start}, {passage.end})"]
    if passage.cases:
        parts.append(", ".join(passage.cases))
    if passage.time is not None:
        parts.append(clock(passage.time))
    return " · ".join(parts)


def checked(path: str | Path) -> Path:
    """``path`` as a Path, if a query result can be written there."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidInput(f"cannot write {path.name}: use a .csv, .xlsx, .md or .docx file name")
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: folder {path.parent} does not exist")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def _csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _xlsx(path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    # A sheet's name is at most 31 characters, without []:*?/\
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Query"
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    top = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.alignment = top
    sheet.freeze_panes = "B2"
    book.save(path)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        cut = " [cut: too long for one Excel cell]"
        return value[: XLSX_CELL_LIMIT - len(cut)] + cut
    return value


def _markdown_cell(value: Any) -> str:
    return _flat(str(value)).replace("|", "\\|")


def _markdown_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float) for r in rows) for i in range(len(header))
    ]
    lines = [f"# {title}", "", "| " + " | ".join(_markdown_cell(h) for h in header) + " |"]
    lines.append("| " + " | ".join("---:" if n else "---" for n in numeric) + " |")
    lines += ["| " + " | ".join(_markdown_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _markdown_passages(title: str, passages: Sequence[Passage]) -> str:
    lines = [f"# {title}", ""]
    for passage in passages:
        lines += [f"## {heading(passage)}", ""]
        before, after = _flat(passage.before), _flat(passage.after)
        before, after = (f"…{before} " if before else ""), (f" {after}…" if after else "")
        lines += [f"> {before}**{_flat(passage.text)}**{after}", ""]
        if passage.codes:
            lines += ["Codes: " + "; ".join(passage.codes), ""]
    return "\n".join(lines)


def _document(title: str) -> Any:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    return document


def _light(run: Any) -> None:
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(0x6B, 0x6B, 0x6B)


def _docx_table(document: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    grid = document.add_table(rows=1 + len(rows), cols=len(header))
    grid.style = "Table Grid"
    top = grid.rows[0]
    # The header row repeats on every page of a long table.
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    top._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(top.cells, header, strict=True):
        cell.paragraphs[0].add_run(str(text)).bold = True
    for row, values in zip(grid.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = str(value)
