"""Retrieve coded segments: every passage coded with a code, with who said it and the
words around it.

>>> for s in project.segments("Feeling judged", coder="Hannah"):
...     print(s.case, s.text)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.coding.codebook import _Tree
from thematica.coding.coders import find_coder, hide_from_blind
from thematica.errors import InvalidInput
from thematica.store.schema import case as case_table
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, source, time_anchor, turn
from thematica.store.texts import cases_by_source, span_texts

if TYPE_CHECKING:
    from thematica.project import Project


# Not frozen: a frozen dataclass takes three times as long to build, and retrieval
# builds thousands.
@dataclass
class Segment:
    coding: int
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
    time: float | None = None  # seconds into the recording, where the source has times

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # shallow: the fields are plain values


def _last_before(table, column):
    """SQL for ``column`` of the row of ``table`` that starts last at or before the
    coding's start, in the coding's source."""
    return (
        select(column)
        .where(table.c.source_id == coding.c.source_id, table.c.start <= coding.c.start)
        .order_by(table.c.start.desc())
        .limit(1)
        .scalar_subquery()
    )


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
    # The turn a segment starts in, and the time it is spoken at.
    last_turn = turn.alias("last_turn")
    turn_id = _last_before(last_turn, last_turn.c.id)
    spoken_at = _last_before(time_anchor, time_anchor.c.ms)
    with project.read() as conn:
        tree = _Tree(conn)
        code_id = tree.find(code)
        code_ids = [code_id, *tree.descendants(code_id)] if children else [code_id]
        query = (
            select(
                coding.c.id,
                coding.c.source_id,
                source.c.name,
                coding.c.start,
                coding.c.end,
                coding.c.code_id,
                coder_table.c.name,
                turn.c.end,
                turn.c.speaker,
                turn.c.role,
                turn.c.case_id,
                spoken_at,
            )
            .join(source, source.c.id == coding.c.source_id)
            .join(coder_table, coder_table.c.id == coding.c.coder_id)
            .outerjoin(turn, turn.c.id == turn_id)
            .where(coding.c.code_id.in_(code_ids))
            .order_by(source.c.name, coding.c.start, coding.c.end, coding.c.id)
        )
        if coder is not None:
            query = query.where(coding.c.coder_id == find_coder(conn, coder))
        query = hide_from_blind(query, conn, project.actor, coding)
        rows = conn.execute(query).all()
        texts = span_texts(conn, [(r[1], r[3], r[4]) for r in rows], context)
        cases = cases_by_source(conn)
        case_labels = dict(conn.execute(select(case_table.c.id, case_table.c.label)).all())
    paths = {code_id: tree.path(code_id) for code_id in code_ids}
    labels = {source_id: ", ".join(names) for source_id, names in cases.items()}
    found = []
    for row, (before, words, after) in zip(rows, texts, strict=True):
        turn_end, speaker, role, turn_case = row[7:11]
        if turn_end is not None and turn_end <= row[3]:
            speaker = role = turn_case = None  # between turns, e.g. on a label or a heading
        found.append(
            Segment(
                coding=row[0],
                source=row[2],
                start=row[3],
                end=row[4],
                text=words,
                code=paths[row[5]],
                coder=row[6],
                case=case_labels[turn_case] if turn_case else labels.get(row[1]),
                speaker=speaker,
                role=role,
                before=before,
                after=after,
                time=row[11] / 1000 if row[11] is not None else None,
            )
        )
    return found
