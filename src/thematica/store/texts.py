"""Reading a source's stored text: whole, or only the pieces some spans touch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.store.schema import CHUNK, source, source_case
from thematica.store.schema import case as case_table


def source_text(conn: Connection, source_id: int) -> str:
    return conn.execute(select(source.c.text).where(source.c.id == source_id)).scalar_one()


def span_texts(
    conn: Connection, spans: Sequence[tuple[int, int, int]], context: int = 0
) -> list[tuple[str, str, str]]:
    """The words before, inside and after each ``(source_id, start, end)`` span.

    Reads only the chunks of text the spans and their ``context`` touch.
    """
    wanted: set[tuple[int, int]] = set()
    for source_id, start, end in spans:
        first, last = max(0, start - context) // CHUNK, max(start, end + context - 1) // CHUNK
        wanted.update((source_id, n) for n in range(first, last + 1))
    chunks: dict[tuple[int, int], str] = {}
    pairs = sorted(wanted)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    # The statement is written here and run on the driver's own cursor: joining a VALUES
    # list on the (source_id, n) index is several times faster than an IN list in
    # SQLite, and SQLAlchemy takes longer to compile thousands of bound pairs, and to
    # wrap thousands of rows, than the database takes to answer.
    cursor = conn.connection.cursor()
    try:
        for at in range(0, len(pairs), 5000):
            batch = pairs[at : at + 5000]
            rows = ", ".join(f"({mark}, {mark})" for _ in batch)
            cursor.execute(
                f"WITH want(s, n) AS (VALUES {rows}) "
                "SELECT c.source_id, c.n, c.text FROM source_chunk c "
                "JOIN want ON c.source_id = want.s AND c.n = want.n",
                tuple(value for pair in batch for value in pair),
            )
            for source_id, n, text in cursor.fetchall():
                chunks[source_id, n] = text
    finally:
        cursor.close()
    found = []
    for source_id, start, end in spans:
        low = max(0, start - context)
        first = low // CHUNK
        last = max(start, end + context - 1) // CHUNK
        window = "".join(chunks.get((source_id, n), "") for n in range(first, last + 1))
        offset = first * CHUNK
        found.append(
            (
                window[low - offset : start - offset],
                window[start - offset : end - offset],
                window[end - offset : end + context - offset],
            )
        )
    return found


def chunk_rows(source_id: int, text: str) -> list[dict]:
    return [
        {"source_id": source_id, "n": n, "text": text[at : at + CHUNK]}
        for n, at in enumerate(range(0, len(text), CHUNK))
    ]


def cases_by_source(conn: Connection) -> dict[int, list[str]]:
    """Map source id to the labels of its linked cases."""
    result: dict[int, list[str]] = {}
    query = (
        select(source_case.c.source_id, case_table.c.label)
        .join(case_table, case_table.c.id == source_case.c.case_id)
        .order_by(case_table.c.label)
    )
    for source_id, label in conn.execute(query):
        result.setdefault(source_id, []).append(label)
    return result
