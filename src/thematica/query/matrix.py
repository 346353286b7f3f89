"""Matrices: codes (rows) against participants, attribute values or other codes.

>>> m = project.query.matrix(by="attribute:primary_diagnosis", count="participants")
>>> m.to_frame()          # a pandas DataFrame (install thematica[query])
>>> m.save("diagnosis.xlsx")

``by``
    ``case``: one column per participant; ``attribute:NAME``: one per value of the
    attribute (in its order for an ordinal one, then ``(missing)`` for cases without
    a value); ``overlap`` and ``turn``: one per code, for co-occurrence: where codings
    of the two codes overlap, or fall in one speaker turn.
``count``
    ``codings``: codings of the row's code attributed to the column's participants
    (for co-occurrence, the places two codes overlap, or the turns they share; a
    code's own cell counts its places or turns); ``sources``: the transcripts they
    are in; ``participants``: the participants they come from; ``segments``: the
    passages themselves, as lists.

Only codings the filter admits are counted: by default those touching participants'
turns, in every coder's layer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput
from thematica.ingest.cases import from_stored, shown
from thematica.query.filters import Filter, Scope, resolve
from thematica.query.named import named
from thematica.query.passages import admitted, passages
from thematica.query.places import Place, places
from thematica.store.raw import fetch, values_table
from thematica.store.schema import attribute, case_value, coding
from thematica.text.span import Span, union

if TYPE_CHECKING:
    from thematica.project import Project

COUNTS = ("codings", "sources", "participants", "segments")
MISSING = "(missing)"

Item = tuple[tuple[int, int, int], Place]  # an admitted span and where it is


@dataclass(frozen=True)
class Matrix:
    """Rows of codes by columns; each cell a count, or a list of passages."""

    by: str
    count: str
    filter: Filter
    rows: tuple[str, ...]  # code paths
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Any]

    def cell(self, row: str, column: str) -> Any:
        return self.cells[(row, column)]

    def to_frame(self) -> Any:
        """The matrix as a pandas DataFrame: codes as the index, columns as columns."""
        try:
            import pandas
        except ImportError:
            raise InvalidInput(
                "pandas is not installed: pip install 'thematica[query]' for DataFrames"
            ) from None
        data = [[self.cells[(r, c)] for c in self.columns] for r in self.rows]
        frame = pandas.DataFrame(data, index=list(self.rows), columns=list(self.columns))
        frame.index.name = "code"
        return frame

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """A header and rows for writing: a passage list becomes its lines of text."""
        rows = []
        for r in self.rows:
            cells = [self.cells[(r, c)] for c in self.columns]
            if self.count == "segments":
                cells = ["\n\n".join(p.line() for p in found) for found in cells]
            rows.append([r, *cells])
        return ["code", *self.columns], rows

    def as_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return [p.as_dict() for p in value] if isinstance(value, list) else value

        return {
            "by": self.by,
            "count": self.count,
            "filter": self.filter.as_dict(),
            "columns": list(self.columns),
            "rows": [
                {"code": r, "cells": {c: plain(self.cells[(r, c)]) for c in self.columns}}
                for r in self.rows
            ],
        }

    def save(self, path: Any, title: str | None = None) -> Any:
        """Write the matrix as ``.csv``, ``.xlsx``, ``.md`` or ``.docx``."""
        from thematica.query.export import export_table

        header, rows = self.table()
        return export_table(path, title or f"Codes by {self.by} ({self.count})", header, rows)


def build_matrix(
    project: Project,
    codes: Sequence[str] | None,
    by: str,
    count: str,
    where: Filter | None,
    children: bool,
) -> Matrix:
    if count not in COUNTS:
        raise InvalidInput(f"unknown count {count!r}: use {', '.join(COUNTS)}")
    kind, _, name = by.partition(":")
    if kind not in ("case", "attribute", "overlap", "turn") or (kind == "attribute") != bool(name):
        raise InvalidInput(f"unknown matrix {by!r}: use case, attribute:NAME, overlap or turn")
    where = where or Filter()
    with project.read() as conn:
        scope = resolve(conn, where, project.actor)
        row_ids = _rows(scope, codes, children)
        wanted = {c for ids in row_ids.values() for c in ids}
        query = scope.codings(
            select(coding.c.source_id, coding.c.start, coding.c.end, coding.c.code_id).where(
                coding.c.code_id.in_(sorted(wanted))
            )
        )
        found = conn.execute(query).all()
        # Two codes may code the same span: codes are kept by span, several to one.
        codes_of: dict[tuple[int, int, int], list[int]] = {}
        for s, a, b, c in found:
            codes_of.setdefault((s, a, b), []).append(c)
        kept = _kept(conn, scope, list(codes_of), count == "segments")
        # One coding may sit under several rows (a parent row takes its children's).
        rows_of: dict[int, list[str]] = {}
        for row, ids in row_ids.items():
            for code_id in ids:
                rows_of.setdefault(code_id, []).append(row)
        by_row: dict[str, list[Item]] = {row: [] for row in row_ids}
        for span, place in kept:
            for code_id in codes_of[span]:
                for row in rows_of[code_id]:
                    by_row[row].append((span, place))
        if kind in ("overlap", "turn"):
            columns, cells = _cooccurrence(conn, scope, by_row, kind, count)
        else:
            columns, groups = _groups(conn, scope, name if kind == "attribute" else None)
            cells = _cells(conn, scope, by_row, columns, groups, count)
    return Matrix(by, count, where, tuple(row_ids), tuple(columns), cells)


def _kept(
    conn: Connection, scope: Scope, spans: list[tuple[int, int, int]], segments: bool
) -> list[Item]:
    """The codings the scope admits. Their speakers were tested in the query, so
    unless passages are wanted only the participants and scoping code are left."""
    if segments:
        return admitted(conn, scope, spans, times=True)
    bare = Place()
    bare.has_turns = False  # roles are already tested: admits() passes over them
    return [(span, bare) for span in spans if scope.admits(*span, bare)]


def _rows(scope: Scope, codes: Sequence[str] | None, children: bool) -> dict[str, list[int]]:
    """Row heading (code path) -> the code ids the row counts."""
    tree = scope.tree
    ids = [tree.find(c) for c in codes] if codes else [c for c, _ in tree.walk()]
    if not ids:
        raise InvalidInput("the codebook is empty: add codes before making a matrix")
    return {tree.path(c): [c, *tree.descendants(c)] if children else [c] for c in ids}


def _groups(
    conn: Connection, scope: Scope, attribute_name: str | None
) -> tuple[list[str], dict[int, str]]:
    """Column headings, and the column each case falls in."""
    people = scope.people
    cases = people.with_data() if scope.case_ids is None else sorted(scope.case_ids)
    if attribute_name is None:
        return [people.labels[c] for c in cases], {c: people.labels[c] for c in cases}
    fields = (attribute.c.id, attribute.c.type, attribute.c.levels)
    row = named(conn, attribute, attribute_name, "attribute", "thematica cases list", *fields)
    stored = dict(
        conn.execute(
            select(case_value.c.case_id, case_value.c.value).where(
                case_value.c.attribute_id == row.id
            )
        ).all()
    )
    values = {c: stored.get(c) for c in cases}
    present = {v for v in values.values() if v is not None}
    if row.levels:
        order = [v for v in row.levels if v in present]
    else:
        order = sorted(present, key=lambda v: from_stored(v, row.type))
    shown_as = {v: shown(from_stored(v, row.type)) for v in present}
    columns = [shown_as[v] for v in order]
    if any(v is None for v in values.values()):
        columns.append(MISSING)
    return columns, {c: MISSING if v is None else shown_as[v] for c, v in values.items()}


def _cells(
    conn: Connection,
    scope: Scope,
    by_row: dict[str, list[Item]],
    columns: list[str],
    groups: dict[int, str],
    count: str,
) -> dict[tuple[str, str], Any]:
    people = scope.people
    found: dict[tuple[str, str], list[tuple[Item, int]]] = {}
    for row, items in by_row.items():
        for item in items:
            (source_id, start, end), _ = item
            # A coding counts once in a column, however many of its cases fall there.
            placed = {groups[c] for c in people.of_span(source_id, start, end) if c in groups}
            for column in placed:
                found.setdefault((row, column), []).append((item, source_id))
    cells: dict[tuple[str, str], Any] = {}
    if count == "segments":
        every = sorted(
            {span: place for items in found.values() for (span, place), _ in items}.items()
        )
        made = passages(conn, scope, every, context=0)
        by_span = {span: p for (span, _), p in zip(every, made, strict=True)}
    for row in by_row:
        for column in columns:
            items = found.get((row, column), [])
            if count == "codings":
                cells[(row, column)] = len(items)
            elif count == "sources":
                cells[(row, column)] = len({s for _, s in items})
            elif count == "participants":
                cases = {
                    c
                    for ((s, a, b), _), _ in items
                    for c in people.of_span(s, a, b)
                    if groups.get(c) == column
                }
                cells[(row, column)] = len(cases)
            else:
                cells[(row, column)] = [by_span[span] for (span, _), _ in items]
    return cells


def _cooccurrence(
    conn: Connection,
    scope: Scope,
    by_row: dict[str, list[Item]],
    kind: str,
    count: str,
) -> tuple[list[str], dict[tuple[str, str], Any]]:
    """Code by code: the places (or turns) two codes share, as each count asks."""
    rows = list(by_row)
    per_source: dict[int, dict[str, list[Span]]] = {}
    for row, items in by_row.items():
        for (source_id, start, end), _ in items:
            per_source.setdefault(source_id, {}).setdefault(row, []).append(Span(start, end))
    places_of: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    if kind == "overlap":
        for source_id, spans in per_source.items():
            _overlaps(source_id, {r: union(s) for r, s in spans.items()}, places_of)
    else:
        turns = _turns(conn, sorted(per_source))
        for source_id, spans in per_source.items():
            _shared_turns(source_id, spans, turns.get(source_id, []), places_of)
    people = scope.people
    cells: dict[tuple[str, str], Any] = {}
    if count == "segments":
        every = sorted({span for spans in places_of.values() for span in spans})
        kept = list(zip(every, places(conn, every, times=True), strict=True))
        made = dict(zip(every, passages(conn, scope, kept, context=0), strict=True))
    for r in rows:
        for c in rows:
            spans = places_of.get((r, c), []) if r <= c else places_of.get((c, r), [])
            if count == "codings":
                cells[(r, c)] = len(spans)
            elif count == "sources":
                cells[(r, c)] = len({s for s, _, _ in spans})
            elif count == "participants":
                cells[(r, c)] = len({x for s, a, b in spans for x in people.of_span(s, a, b)})
            else:
                cells[(r, c)] = [made[s] for s in spans]
    return rows, cells


def _overlaps(
    source_id: int,
    spans: dict[str, list[Span]],
    found: dict[tuple[str, str], list[tuple[int, int, int]]],
) -> None:
    """Each place two codes' text overlaps (and each code's own places), by a sweep
    along the source: a code's spans are disjoint, so each overlapping pair of spans
    is one place."""
    events = sorted((s.start, s.end, row) for row, own in spans.items() for s in own)
    active: list[tuple[int, int, str]] = []
    for start, end, row in events:
        found.setdefault((row, row), []).append((source_id, start, end))
        active = [a for a in active if a[1] > start]
        for a_start, a_end, other in active:
            if other != row:
                key = (row, other) if row <= other else (other, row)
                found.setdefault(key, []).append((source_id, max(start, a_start), min(end, a_end)))
        active.append((start, end, row))


def _turns(conn: Connection, sources: list[int]) -> dict[int, list[tuple[int, int]]]:
    turns: dict[int, list[tuple[int, int]]] = {}
    for at in range(0, len(sources), 2000):
        head, params = values_table(conn, [(s,) for s in sources[at : at + 2000]], "want")
        sql = (
            f'{head} SELECT t.source_id, t.start, t."end" FROM want w '
            "JOIN turn t ON t.source_id = w.c0 ORDER BY t.source_id, t.start"
        )
        for source_id, start, end in fetch(conn, sql, params):
            turns.setdefault(source_id, []).append((start, end))
    return turns


def _shared_turns(
    source_id: int,
    spans: dict[str, list[Span]],
    turns: list[tuple[int, int]],
    found: dict[tuple[str, str], list[tuple[int, int, int]]],
) -> None:
    """Each turn two codes both touch (and each code's own turns)."""
    starts = [t[0] for t in turns]
    codes_in: dict[int, set[str]] = {}
    for row, own in spans.items():
        for span in own:
            at = max(0, bisect_right(starts, span.start) - 1)
            while at < len(turns) and turns[at][0] < span.end:
                if turns[at][1] > span.start:
                    codes_in.setdefault(at, set()).add(row)
                at += 1
    for at, rows in sorted(codes_in.items()):
        place = (source_id, *turns[at])
        ordered = sorted(rows)
        for i, row in enumerate(ordered):
            for other in ordered[i:]:
                found.setdefault((row, other), []).append(place)
