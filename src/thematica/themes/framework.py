"""The framework matrix: participants (rows) x themes (columns).

Each cell holds the researcher's summary of that participant for that theme, if one was
written (stored; see :func:`summarise`), and the participant's coded segments for the
theme: codings of the theme's codes (with their child codes and its subthemes' codes)
attributed to her (see :mod:`thematica.themes.participants`), each span once, in
source order.

>>> matrix = project.themes.framework(coder="Hannah")
>>> matrix.save("framework.xlsx")   # or .csv
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.coding.coders import find_coder, hide_from_blind
from thematica.errors import InvalidInput
from thematica.ingest.refs import find_case
from thematica.store.schema import coding, framework_summary, source
from thematica.store.texts import span_texts
from thematica.themes.participants import Participants
from thematica.themes.tree import CodeNames, ThemeTree

if TYPE_CHECKING:
    from thematica.project import Project

# Excel keeps at most this many characters in a cell.
XLSX_CELL_LIMIT = 32767


@dataclass(frozen=True)
class Excerpt:
    source: str
    start: int
    end: int
    text: str

    def line(self) -> str:
        return f"[{self.source} {self.start}-{self.end}] {' '.join(self.text.split())}"


@dataclass
class Cell:
    summary: str | None = None
    excerpts: list[Excerpt] = field(default_factory=list)

    def text(self) -> str:
        """The cell as a spreadsheet shows it: the summary, then one line per segment."""
        parts = []
        if self.summary:
            parts.append(f"Summary: {self.summary}")
        parts += [e.line() for e in self.excerpts]
        return "\n\n".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "segments": [vars(e) for e in self.excerpts]}


@dataclass(frozen=True)
class Framework:
    coder: str | None
    themes: tuple[str, ...]  # column headings: theme paths
    cases: tuple[str, ...]  # row headings: participant labels
    cells: dict[tuple[str, str], Cell]  # (case label, theme path) -> cell

    def cell(self, case: str, theme: str) -> Cell:
        return self.cells[(case, theme)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "themes": list(self.themes),
            "participants": [
                {
                    "participant": case,
                    "cells": {t: self.cells[(case, t)].as_dict() for t in self.themes},
                }
                for case in self.cases
            ],
        }

    def save(self, path: str | Path) -> Path:
        """Write the matrix to ``.xlsx`` (a Framework sheet and a long Segments sheet)
        or ``.csv`` (the matrix only)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["participant", *self.themes])
                for case in self.cases:
                    writer.writerow([case, *(self.cells[(case, t)].text() for t in self.themes)])
        elif suffix == ".xlsx":
            self._save_xlsx(path)
        else:
            raise InvalidInput(f"cannot write {path.name}: use a .xlsx or .csv file name")
        return path

    def _save_xlsx(self, path: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = "Framework"
        sheet.append(["participant", *self.themes])
        for case in self.cases:
            row = [case]
            for theme_path in self.themes:
                text = self.cells[(case, theme_path)].text()
                if len(text) > XLSX_CELL_LIMIT:
                    cut = "\n\n[cut: see the Segments sheet]"
                    text = text[: XLSX_CELL_LIMIT - len(cut)] + cut
                row.append(text)
            sheet.append(row)
        top = Alignment(wrap_text=True, vertical="top")
        for cells in sheet.iter_rows():
            for cell in cells:
                cell.alignment = top
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 16
        for column in range(2, len(self.themes) + 2):
            sheet.column_dimensions[sheet.cell(1, column).column_letter].width = 60
        long = book.create_sheet("Segments")
        long.append(["participant", "theme", "source", "start", "end", "text"])
        for case in self.cases:
            for theme_path in self.themes:
                cell = self.cells[(case, theme_path)]
                for e in cell.excerpts:
                    long.append([case, theme_path, e.source, e.start, e.end, e.text])
        for cell in long[1]:
            cell.font = Font(bold=True)
        book.save(path)


def framework(project: Project, coder: str | None = None, subthemes: bool = False) -> Framework:
    with project.read() as conn:
        tree, names = ThemeTree(conn), CodeNames(conn)
        people = Participants(conn)
        columns = [t for t, depth in tree.walk() if subthemes or depth == 0]
        paths = {t: tree.path(t) or "" for t in columns}
        column_codes: dict[int, list[int]] = {}
        for theme_id in columns:
            for code_id in tree.code_set(theme_id, names):
                column_codes.setdefault(code_id, []).append(theme_id)
        query = (
            select(
                coding.c.source_id, source.c.name, coding.c.start, coding.c.end, coding.c.code_id
            )
            .join(source, source.c.id == coding.c.source_id)
            .order_by(source.c.name, coding.c.start, coding.c.end)
        )
        if coder is not None:
            query = query.where(coding.c.coder_id == find_coder(conn, coder))
        query = hide_from_blind(query, conn, project.actor, coding)
        rows = [r for r in conn.execute(query) if r.code_id in column_codes]
        texts = span_texts(conn, [(r.source_id, r.start, r.end) for r in rows])
        summary = framework_summary.c
        summaries = conn.execute(select(summary.theme_id, summary.case_id, summary.text)).all()
    cases = people.with_data()
    labels = {c: people.labels[c] for c in cases}
    cells = {(labels[c], paths[t]): Cell() for c in cases for t in columns}
    seen: set[tuple[int, int, int, int, int]] = set()
    for row, (_, words, _) in zip(rows, texts, strict=True):
        for case_id in people.of_span(row.source_id, row.start, row.end):
            for theme_id in column_codes[row.code_id]:
                key = (case_id, theme_id, row.source_id, row.start, row.end)
                if key in seen:
                    continue
                seen.add(key)
                cells[(labels[case_id], paths[theme_id])].excerpts.append(
                    Excerpt(row.name, row.start, row.end, words)
                )
    for theme_id, case_id, text in summaries:
        if theme_id in paths and case_id in labels:
            cells[(labels[case_id], paths[theme_id])].summary = text
    return Framework(
        coder=coder,
        themes=tuple(paths[t] for t in columns),
        cases=tuple(labels[c] for c in cases),
        cells=cells,
    )


def summarise(project: Project, theme_name: str, case_name: str, text: str) -> None:
    from thematica.project import now

    text = text.strip()
    with project.transaction("summarise theme", theme_name) as tx:
        tree = ThemeTree(tx.conn)
        theme_id = tree.find(theme_name)
        case = find_case(tx.conn, case_name)
        existing = tx.conn.execute(
            select(framework_summary.c.id, framework_summary.c.text).where(
                framework_summary.c.theme_id == theme_id, framework_summary.c.case_id == case.id
            )
        ).first()
        if existing is None and not text:
            raise InvalidInput(f"{case.label} has no summary for {tree.path(theme_id)!r}")
        if existing is None:
            tx.insert(
                framework_summary,
                {
                    "theme_id": theme_id,
                    "case_id": case.id,
                    "text": text,
                    "author": project.actor,
                    "updated": now(),
                },
            )
        elif text:
            tx.update(
                framework_summary,
                existing.id,
                {"text": text, "author": project.actor, "updated": now()},
            )
        else:
            tx.delete(framework_summary, existing.id)
        tx.target = f"{tree.path(theme_id)}: {case.label}"
        tx.before = {
            "themes": [theme_id],
            "case": case.label,
            "summary": existing.text if existing else None,
        }
        tx.after = {"themes": [theme_id], "case": case.label, "summary": text or None}
