"""Retrieve coded segments: every passage coded with a code, with who said it and the
words around it.

>>> for s in project.segments("Feeling judged", coder="Hannah"):
...     print(s.case, s.text)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from thematica.coding.codebook import _Tree
from thematica.coding.coders import find_coder
from thematica.coding.codings import segment_text
from thematica.errors import InvalidInput
from thematica.ingest.sources import cases_by_source
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, source, turn

if TYPE_CHECKING:
    from thematica.project import Project


@dataclass(frozen=True)
class Segment:
    coding_id: int
    source: str
    start: int
    end: int
    text: str
    code: str
    coder: str
    case: str | None
    speaker: str | None
    role: str | None
    before: str
    after: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "coding": self.coding_id,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "code": self.code,
            "coder": self.coder,
            "case": self.case,
            "speaker": self.speaker,
            "role": self.role,
            "before": self.before,
            "after": self.after,
        }


def segments(
    project: Project,
    code: str,
    coder: str | None = None,
    context: int = 120,
    children: bool = False,
) -> list[Segment]:
    """Every segment coded with ``code`` (see :meth:`Project.segments`)."""
    if context < 0:
        raise InvalidInput("context must be zero or more characters")
    speaker = (
        select(turn.c.speaker, turn.c.role)
        .where(
            turn.c.source_id == coding.c.source_id,
            turn.c.start <= coding.c.start,
            turn.c.end > coding.c.start,
        )
        .limit(1)
    )
    before_start = sql_case((coding.c.start > context, coding.c.start - context), else_=0)
    with project.read() as conn:
        tree = _Tree(conn)
        code_id = tree.find(code)
        code_ids = [code_id, *tree.descendants(code_id)] if children else [code_id]
        query = (
            select(
                coding.c.id,
                source.c.id,
                source.c.name,
                coding.c.start,
                coding.c.end,
                segment_text(coding.c.start, coding.c.end),
                coding.c.code_id,
                coder_table.c.name,
                speaker.with_only_columns(turn.c.speaker).scalar_subquery(),
                speaker.with_only_columns(turn.c.role).scalar_subquery(),
                segment_text(before_start, coding.c.start),
                func.substr(source.c.text, coding.c.end + 1, context),
            )
            .join(source, source.c.id == coding.c.source_id)
            .join(coder_table, coder_table.c.id == coding.c.coder_id)
            .where(coding.c.code_id.in_(code_ids))
            .order_by(source.c.name, coding.c.start, coding.c.end, coding.c.id)
        )
        if coder is not None:
            query = query.where(coding.c.coder_id == find_coder(conn, coder))
        rows = conn.execute(query).all()
        cases = cases_by_source(conn)
    return [
        Segment(
            coding_id=row[0],
            source=row[2],
            start=row[3],
            end=row[4],
            text=row[5],
            code=tree.path(row[6]),
            coder=row[7],
            case=", ".join(cases.get(row[1], ())) or None,
            speaker=row[8],
            role=row[9],
            before=row[10] if context else "",
            after=row[11] if context else "",
        )
        for row in rows
    ]
