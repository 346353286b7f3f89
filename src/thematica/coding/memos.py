"""Memos: the reflexive journal (project memos) and notes anchored to a source span, a
code or a coding.

>>> project.memos.add("I expected anger at social services; I found fear.")   # journal
>>> project.memos.add("Echoes Mother 3", source="interview-05.txt", quote="held me")
>>> project.memos.add("Too broad? Split by who judges.", code="Feeling judged")
>>> project.memos.edit(3, text="Too broad: split by who judges.")
>>> project.memos.delete(3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.coding.codebook import _Tree, find_code
from thematica.errors import InvalidInput, NotFound
from thematica.ingest.refs import find_source
from thematica.store.schema import coding as coding_table
from thematica.store.schema import memo, source
from thematica.store.texts import source_text
from thematica.text import Span, find_quote

if TYPE_CHECKING:
    from thematica.project import Project

ANCHOR_KINDS = ("project", "source", "code", "coding")


@dataclass(frozen=True)
class Memo:
    id: int
    kind: str
    anchor: str
    title: str
    text: str
    author: str
    created: str
    source: str | None = None
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # shallow: the fields are plain values


class Memos:
    """The project's memos. Reached as ``project.memos``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def add(
        self,
        text: str,
        title: str = "",
        *,
        source: str | None = None,
        start: int | None = None,
        end: int | None = None,
        quote: str | None = None,
        prefix: str = "",
        suffix: str = "",
        code: str | None = None,
        coding: int | None = None,
        author: str | None = None,
        created: str | None = None,
    ) -> Memo:
        """Write a memo. With no anchor it is a reflexive journal entry for the project.

        Anchor it to one of: a ``source`` (optionally a span by ``start``/``end`` or by
        ``quote``), a ``code``, or a ``coding`` id.
        """
        if not text.strip():
            raise InvalidInput("a memo needs some text")
        anchors = [a for a in (source, code, coding) if a is not None]
        if len(anchors) > 1:
            raise InvalidInput("anchor a memo to one thing: a source span, a code or a coding")
        from thematica.project import now

        values: dict[str, Any] = {
            "anchor_kind": "project",
            "anchor_id": None,
            "source_id": None,
            "start": None,
            "end": None,
            "title": title.strip(),
            "text": text.strip(),
            "author": author or self.project.actor,
            "created": created or now(),
        }
        with self.project.transaction("add memo") as tx:
            conn = tx.conn
            if source is not None:
                ref = find_source(conn, source)
                values.update(anchor_kind="source", anchor_id=ref.id, source_id=ref.id)
                if quote is not None:
                    span = find_quote(
                        source_text(conn, ref.id), quote, prefix, suffix, where=ref.name
                    )
                elif start is not None or end is not None:
                    if start is None or end is None:
                        raise InvalidInput("give both --start and --end, or a --quote")
                    span = Span(start, end).check_within(ref.length)
                else:
                    span = None
                if span is not None:
                    values.update(start=span.start, end=span.end)
                tx.target = ref.name
            elif start is not None or end is not None or quote is not None:
                raise InvalidInput("a span (--start/--end or --quote) needs a --source")
            elif code is not None:
                values.update(anchor_kind="code", anchor_id=find_code(conn, code))
                tx.target = f"code {code}"
            elif coding is not None:
                row = conn.execute(
                    select(
                        coding_table.c.source_id, coding_table.c.start, coding_table.c.end
                    ).where(coding_table.c.id == coding)
                ).first()
                if row is None:
                    raise NotFound(
                        f"no coding with id {coding}; `thematica codings list` shows them"
                    )
                values.update(
                    anchor_kind="coding",
                    anchor_id=coding,
                    source_id=row[0],
                    start=row[1],
                    end=row[2],
                )
                tx.target = f"coding {coding}"
            else:
                tx.target = "journal"
            memo_id = tx.insert(memo, values)
            tx.after = {"id": memo_id, "kind": values["anchor_kind"], "title": values["title"]}
        return self.get(memo_id)

    def edit(self, memo_id: int, text: str | None = None, title: str | None = None) -> Memo:
        """Change a memo's text and/or title; its anchor, author and date stay."""
        if text is None and title is None:
            raise InvalidInput("give a new text or title for the memo")
        if text is not None and not text.strip():
            raise InvalidInput("a memo needs some text: delete it instead")
        old = self.get(memo_id)
        values = {
            key: value.strip()
            for key, value in (("text", text), ("title", title))
            if value is not None and value.strip() != getattr(old, key)
        }
        if not values:
            return old  # nothing to record: an empty event would be an undo that does nothing
        with self.project.transaction("edit memo", f"memo {memo_id}") as tx:
            tx.update(memo, memo_id, values)
            tx.before = {key: getattr(old, key) for key in values}
            tx.after = values
        return self.get(memo_id)

    def delete(self, memo_id: int) -> Memo:
        """Delete a memo; undo brings it back."""
        old = self.get(memo_id)
        with self.project.transaction("delete memo", f"memo {memo_id}") as tx:
            tx.delete(memo, memo_id)
            tx.before = old.as_dict()
        return old

    def get(self, memo_id: int) -> Memo:
        found = self._select(memo.c.id == memo_id)
        if not found:
            raise NotFound(f"no memo with id {memo_id}; `thematica memo list` shows them")
        return found[0]

    def list(self, kind: str | None = None) -> list[Memo]:
        """Memos in the order written; ``kind`` is project, source, code or coding."""
        if kind is not None and kind not in ANCHOR_KINDS:
            raise InvalidInput(f"unknown memo kind {kind!r}: use one of {', '.join(ANCHOR_KINDS)}")
        return self._select(memo.c.anchor_kind == kind if kind else None)

    def journal(self) -> list[Memo]:
        """The reflexive journal: memos on the project as a whole."""
        return self.list("project")

    def _select(self, where: Any) -> list[Memo]:
        query = (
            select(memo, source.c.name.label("source_name"))
            .outerjoin(source, source.c.id == memo.c.source_id)
            .order_by(memo.c.created, memo.c.id)
        )
        if where is not None:
            query = query.where(where)
        with self.project.read() as conn:
            rows = conn.execute(query).mappings().all()
            tree = _Tree(conn) if any(r["anchor_kind"] == "code" for r in rows) else None
        return [_memo(row, tree) for row in rows]


def _memo(row: Any, tree: _Tree | None) -> Memo:
    kind = row["anchor_kind"]
    if kind == "project":
        anchor = "journal"
    elif kind == "code":
        anchor = f"code {tree.path(row['anchor_id'])}" if tree else "code"
    elif kind == "coding":
        anchor = f"coding {row['anchor_id']}"
    else:
        anchor = row["source_name"]
    if row["start"] is not None and kind != "code":
        anchor += f" [{row['start']}, {row['end']})"
    return Memo(
        id=row["id"],
        kind=kind,
        anchor=anchor,
        title=row["title"],
        text=row["text"],
        author=row["author"],
        created=row["created"],
        source=row["source_name"],
        start=row["start"],
        end=row["end"],
    )
