"""Reading a source's stored text: whole, or only the pieces some spans touch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.store.raw import mark
from thematica.store.schema import CHUNK, CHUNKS_PER_SOURCE, chunk_id, source, source_case
from thematica.store.schema import case as case_table


def source_text(conn: Connection, source_id: int) -> str:
    return conn.execute(select(source.c.text).where(source.c.id == source_id)).scalar_one()


def span_texts(
    conn: Connection, spans: Sequence[tuple[int, int, int]], context: int = 0
) -> list[tuple[str, str, str]]:
    """The words before, inside and after each ``(source_id, start, end)`` span.

    Reads only the chunks of text the spans and their ``context`` touch.
    """
    wide = [(s, max(0, start - context), end + context) for s, start, end in spans]
    found = []
    for (_, start, end), (_, low, _), text in zip(
        spans, wide, text_slices(conn, wide), strict=True
    ):
        found.append((text[: start - low], text[start - low : end - low], text[end - low :]))
    return found


def text_slices(conn: Connection, ranges: Sequence[tuple[int, int, int]]) -> list[str]:
    """The text of each ``(source_id, start, end)`` range (cut short where the text ends),
    read from the chunks the ranges touch."""
    runs: list[list[int]] = []  # [first, last] chunk ids, in order, none overlapping
    for ids in sorted((_chunk_ids(*r) for r in ranges), key=lambda ids: ids.start):
        if runs and ids.start <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], ids.stop - 1)
        else:
            runs.append([ids.start, ids.stop - 1])
    chunks: dict[int, str] = {}
    # The statement is written here and run on the driver's own cursor: joining a VALUES
    # list on the primary key is several times faster than an IN list in SQLite, and
    # SQLAlchemy takes longer to compile thousands of bound ids, and to wrap thousands
    # of rows, than the database takes to answer.
    cursor = conn.connection.cursor()
    try:
        for at in range(0, len(runs), 5000):
            batch = runs[at : at + 5000]
            rows = ", ".join([f"({mark(conn)}, {mark(conn)})"] * len(batch))
            cursor.execute(
                f"WITH want(low, high) AS (VALUES {rows}) "
                "SELECT c.id, c.text FROM want JOIN source_chunk c "
                "ON c.id BETWEEN want.low AND want.high",
                [n for run in batch for n in run],
            )
            chunks.update(cursor.fetchall())
    finally:
        cursor.close()
    found = []
    for source_id, start, end in ranges:
        ids = _chunk_ids(source_id, start, end)
        joined = "".join([chunks.get(i, "") for i in ids])
        offset = (ids.start % CHUNKS_PER_SOURCE) * CHUNK
        found.append(joined[start - offset : end - offset])
    return found


def _chunk_ids(source_id: int, start: int, end: int) -> range:
    first, last = start // CHUNK, max(start, end - 1) // CHUNK
    return range(chunk_id(source_id, first), chunk_id(source_id, last) + 1)


def chunk_rows(source_id: int, text: str) -> list[dict]:
    return [
        {
            "id": chunk_id(source_id, n),
            "source_id": source_id,
            "n": n,
            "text": text[at : at + CHUNK],
        }
        for n, at in enumerate(range(0, len(text), CHUNK))
    ]


def cases_by_source(conn: Connection, source_id: int | None = None) -> dict[int, list[str]]:
    """Map source id to the labels of its linked cases (of every source, or of one)."""
    result: dict[int, list[str]] = {}
    query = (
        select(source_case.c.source_id, case_table.c.label)
        .join(case_table, case_table.c.id == source_case.c.case_id)
        .order_by(case_table.c.label)
    )
    if source_id is not None:
        query = query.where(source_case.c.source_id == source_id)
    for source_id, label in conn.execute(query):
        result.setdefault(source_id, []).append(label)
    return result
