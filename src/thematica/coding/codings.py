"""Codings: a span of a source's text, a code, and the coder who applied it.

>>> project.codings.add("interview-03.txt", "Warmth", 1200, 1264, coder="Hannah")
>>> project.codings.add_quote("interview-03.txt", "Warmth", "she made me tea", coder="Hannah")
>>> project.codings.add_with_new_code("interview-03.txt", "Made me tea", 1200, 1264).created
True
>>> project.codings.import_csv("codings.csv")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from thematica.coding.anchors import detach_coding_memos
from thematica.coding.codebook import _Tree, check_name, code_path, find_code, insert_code
from thematica.coding.coders import ensure_coder, hide_from_blind
from thematica.errors import InvalidInput, NotFound
from thematica.ingest.refs import find_source
from thematica.ingest.tables import read_csv
from thematica.store.schema import code, coder, coding, memo, source
from thematica.store.texts import source_text, span_texts
from thematica.text import Span, find_quote

if TYPE_CHECKING:
    from thematica.coding.guide import GuideReport
    from thematica.project import Project, Transaction


@dataclass(frozen=True)
class Coding:
    id: int
    source: str
    start: int
    end: int
    code: str
    coder: str
    text: str
    created: str
    provenance: str

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # shallow: the fields are plain values


@dataclass(frozen=True)
class NewCodeCoding:
    """A coding made with :meth:`Codings.add_with_new_code`, and whether its code was
    created for it (False: a code of that name was there already and was used)."""

    coding: Coding
    created: bool


@dataclass(frozen=True)
class CodingImport:
    added: int
    duplicates: int
    memos: int


# Built once: coding a span runs these on every call.
_SAME_CODING = select(coding.c.id, coding.c.created, coding.c.provenance).where(
    *(coding.c[c] == bindparam(c) for c in ("source_id", "start", "end", "code_id", "coder_id"))
)


class Codings:
    """The project's codings, in every coder's layer. Reached as ``project.codings``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def add(
        self,
        source_name: str,
        code_name: str,
        start: int,
        end: int,
        coder: str | None = None,
        provenance: str = "manual",
    ) -> Coding:
        """Code ``[start, end)`` of a source. Coding the same span again is a no-op."""
        with self.project.transaction("code", source_name) as tx:
            return self._add_one(tx, source_name, code_name, Span(start, end), coder, provenance)

    def add_quote(
        self,
        source_name: str,
        code_name: str,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        coder: str | None = None,
        provenance: str = "manual",
    ) -> Coding:
        """Code the one place in a source where ``quote`` occurs (with optional context)."""
        with self.project.transaction("code", source_name) as tx:
            ref = find_source(tx.conn, source_name)
            span = find_quote(source_text(tx.conn, ref.id), quote, prefix, suffix, where=ref.name)
            return self._add_one(tx, source_name, code_name, span, coder, provenance)

    def add_with_new_code(
        self,
        source_name: str,
        name: str,
        start: int,
        end: int,
        parent: str | None = None,
        coder: str | None = None,
        provenance: str = "manual",
    ) -> NewCodeCoding:
        """Code ``[start, end)`` with the code ``name`` (under ``parent``), creating the
        code first when there is none: one transaction, one audit event, one undo.

        Without ``parent``, a code of that name anywhere in the codebook is used when the
        name is unique (as everywhere a code is named), else the top-level one; with
        ``parent``, the child of that name. The name is taken as it is: ``and/or`` names
        one code, not ``or`` under ``and``. Used for in-vivo codes and for codes made up
        while coding.

        >>> made = project.codings.add_with_new_code("interview-01.txt", "on two lists", 40, 80)
        >>> made.coding.code, made.created
        ('on two lists', True)
        """
        span = Span(start, end)
        with self.project.transaction("code", source_name) as tx:
            ref = find_source(tx.conn, source_name)
            span.check_within(ref.length)  # a coding that cannot be made adds no code
            name = check_name(name)
            tree = _Tree(tx.conn)
            parent_id = tree.find(parent) if parent else None
            code_id = tree.child_named(parent_id, name)
            if code_id is None and parent_id is None:
                named = [row.id for row in tree.rows.values() if row.name == name]
                code_id = named[0] if len(named) == 1 else None
            created = code_id is None
            if code_id is None:
                code_id = insert_code(tx, tree, name, parent_id, "", None)
            made = self._add_one(tx, ref.name, code_id, span, coder, provenance)
            if created:
                tx.action = "code with new code"
                tx.after = {**tx.after, "created": made.code}
        return NewCodeCoding(made, created)

    def _add_one(
        self,
        tx: Transaction,
        source_name: str,
        code: str | int,
        span: Span,
        coder_name: str | None,
        provenance: str,
    ) -> Coding:
        """Code ``span`` with ``code`` (a name or path, or a code id)."""
        from thematica.project import now

        ref = find_source(tx.conn, source_name)
        span.check_within(ref.length)
        code_id = code if isinstance(code, int) else find_code(tx.conn, code)
        who = coder_name or self.project.actor
        values = {
            "source_id": ref.id,
            "start": span.start,
            "end": span.end,
            "code_id": code_id,
            "coder_id": ensure_coder(tx, who),
        }
        existing = tx.conn.execute(_SAME_CODING, values).first()
        tx.target = f"{ref.name} [{span.start}, {span.end})"
        if existing is not None:
            # Logged, but it changed nothing: undo passes over it to the change before.
            tx.action = "code (already coded)"
            coding_id, created, provenance = existing
        else:
            created = now()
            coding_id = tx.insert(coding, {**values, "created": created, "provenance": provenance})
        path = code_path(tx.conn, code_id)
        tx.after = {"code": path, "coder": who, "id": coding_id}
        ((_, words, _),) = span_texts(tx.conn, [(ref.id, span.start, span.end)])
        return Coding(
            coding_id, ref.name, span.start, span.end, path, who, words, created, provenance
        )

    def add_many(self, rows: Iterable[Mapping[str, Any]], provenance: str = "bulk") -> int:
        """Add many codings in one transaction; return how many were new.

        Each row has ``source``, ``code``, ``coder`` and either ``start``/``end`` or
        ``quote`` (with optional ``prefix``/``suffix``) and may carry a ``memo``.
        """
        with self.project.transaction("add codings") as tx:
            result = self._bulk(tx, rows, default_coder=None, provenance=provenance, where=None)
            tx.target = f"{result.added} codings"
        return result.added

    def import_csv(
        self, path: str | Path, coder: str | None = None, encoding: str | None = None
    ) -> CodingImport:
        """Import codings from a CSV: ``source, quote, code, coder[, memo]``.

        ``start``/``end`` columns may stand in for ``quote``; ``prefix``/``suffix``
        disambiguate a quote; ``coder`` (the argument) fills a missing coder column.
        The whole file is imported or, at the first bad row, nothing is.
        """
        columns, rows = read_csv(
            path, ["source", "code"], encoding, unstripped=("prefix", "suffix")
        )
        if "quote" not in columns and not {"start", "end"} <= set(columns):
            raise InvalidInput(f"{path} needs a 'quote' column, or 'start' and 'end' columns")
        if "coder" not in columns and not coder:
            raise InvalidInput(f"{path} has no 'coder' column: name the coder with --coder")
        with self.project.transaction("import codings", str(path)) as tx:
            result = self._bulk(tx, rows, coder, f"import:{Path(path).name}", str(path))
            tx.after = {
                "added": result.added,
                "duplicates": result.duplicates,
                "memos": result.memos,
            }
        return result

    def _bulk(
        self,
        tx: Transaction,
        rows: Iterable[Mapping[str, Any]],
        default_coder: str | None,
        provenance: str,
        where: str | None,
    ) -> CodingImport:
        from thematica.project import now

        created = now()
        sources: dict[str, tuple[int, int]] = {
            name: (sid, length)
            for sid, name, length in tx.conn.execute(
                select(source.c.id, source.c.name, source.c.length)
            )
        }
        texts: dict[int, str] = {}
        tree = _Tree(tx.conn)
        codes: dict[str, int] = {}
        coders: dict[str, int] = {}
        existing = {
            tuple(r)
            for r in tx.conn.execute(
                select(
                    coding.c.source_id,
                    coding.c.start,
                    coding.c.end,
                    coding.c.code_id,
                    coding.c.coder_id,
                )
            )
        }
        new_rows: list[dict[str, Any]] = []
        memos: list[tuple[int, str, str]] = []
        duplicates = 0
        for line, row in enumerate(rows, start=2):
            try:
                name = str(row["source"])
                if name not in sources:
                    find_source(tx.conn, name)  # raises with suggestions
                source_id, length = sources[name]
                code_name = str(row["code"])
                if code_name not in codes:
                    codes[code_name] = tree.find(code_name)
                who = str(row.get("coder") or default_coder or self.project.actor)
                if who not in coders:
                    coders[who] = ensure_coder(tx, who)
                if row.get("quote"):
                    if source_id not in texts:
                        texts[source_id] = source_text(tx.conn, source_id)
                    span = find_quote(
                        texts[source_id],
                        str(row["quote"]),
                        str(row.get("prefix") or ""),
                        str(row.get("suffix") or ""),
                        where=name,
                    )
                else:
                    span = Span(_offset(row, "start"), _offset(row, "end")).check_within(length)
            except (InvalidInput, NotFound) as error:
                if where is None:
                    raise
                raise type(error)(f"{where}, line {line}: {error}") from None
            key = (source_id, span.start, span.end, codes[code_name], coders[who])
            if key in existing:
                duplicates += 1
                continue
            existing.add(key)
            new_rows.append(
                {
                    "source_id": source_id,
                    "start": span.start,
                    "end": span.end,
                    "code_id": codes[code_name],
                    "coder_id": coders[who],
                    "created": created,
                    "provenance": provenance,
                }
            )
            if row.get("memo"):
                memos.append((len(new_rows) - 1, str(row["memo"]), who))
        ids = tx.insert_many(coding, new_rows)
        tx.insert_many(
            memo,
            [
                {
                    "anchor_kind": "coding",
                    "anchor_id": ids[index],
                    "source_id": new_rows[index]["source_id"],
                    "start": new_rows[index]["start"],
                    "end": new_rows[index]["end"],
                    "title": "",
                    "text": text,
                    "author": author,
                    "created": created,
                }
                for index, text, author in memos
            ],
        )
        return CodingImport(added=len(ids), duplicates=duplicates, memos=len(memos))

    def code_by_guide(
        self,
        guide: str | Path,
        sources: list[str] | None = None,
        coder: str | None = None,
        threshold: float = 80.0,
    ) -> GuideReport:
        """Code every participant answer with the interview-guide question it follows.

        See :mod:`thematica.coding.guide`; ``sources`` defaults to all of them.
        """
        from thematica.coding.guide import code_by_guide

        return code_by_guide(self.project, guide, sources, coder, threshold)

    def remove(self, coding_id: int) -> Coding:
        """Remove one coding; memos written on it stay, anchored to its text instead."""
        removed = self.get(coding_id)
        with self.project.transaction("uncode", f"coding {coding_id}") as tx:
            detach_coding_memos(tx, [coding_id])
            tx.delete(coding, coding_id)
            tx.before = removed.as_dict()
        return removed

    def get(self, coding_id: int) -> Coding:
        found = self.list(ids=[coding_id])
        if not found:
            raise NotFound(f"no coding with id {coding_id}; `thematica codings list` shows them")
        return found[0]

    def list(
        self,
        source_name: str | None = None,
        code_name: str | None = None,
        coder_name: str | None = None,
        ids: list[int] | None = None,
    ) -> list[Coding]:
        """Codings, filtered by source, code and coder, in text order."""
        query = (
            select(
                coding.c.id,
                source.c.name,
                coding.c.start,
                coding.c.end,
                coding.c.code_id,
                coder.c.name,
                coding.c.source_id,
                coding.c.created,
                coding.c.provenance,
            )
            .join(source, source.c.id == coding.c.source_id)
            .join(coder, coder.c.id == coding.c.coder_id)
            .order_by(source.c.name, coding.c.start, coding.c.end, coding.c.id)
        )
        with self.project.read() as conn:
            if source_name is not None:
                query = query.where(coding.c.source_id == find_source(conn, source_name).id)
            if code_name is not None:
                query = query.where(coding.c.code_id == find_code(conn, code_name))
            if coder_name is not None:
                from thematica.coding.coders import find_coder

                query = query.where(coding.c.coder_id == find_coder(conn, coder_name))
            if ids is not None:
                query = query.where(coding.c.id.in_(ids))
            query = hide_from_blind(query, conn, self.project.actor, coding)
            tree = _Tree(conn)
            rows = conn.execute(query).all()
            texts = span_texts(conn, [(r[6], r[2], r[3]) for r in rows])
            return [
                Coding(r[0], r[1], r[2], r[3], tree.path(r[4]), r[5], words, r[7], r[8])
                for r, (_, words, _) in zip(rows, texts, strict=True)
            ]


def _offset(row: Mapping[str, Any], column: str) -> int:
    value = str(row.get(column, "")).strip()
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{column} {value!r} is not a whole number") from None


__all__ = ["Coding", "CodingImport", "Codings", "NewCodeCoding", "code"]
