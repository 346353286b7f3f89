"""SQLite's full-text index: each source in overlapping windows.

The index (``source_fts``, made in migration 0010) holds each source in windows of
:data:`WINDOW` code points, each running :data:`OVERLAP` on into the next: a search
reads only the windows its words are in, and any phrase of up to :data:`OVERLAP` code
points lies whole in one window. Window ``n`` of a source has the rowid
``chunk_id(source, n)``. The index keeps no copy of the text (``content=''``): it is
handed each window's words to add, and the same words to take out. A new source's
windows are added by :class:`~thematica.store.changes.Writer`, which every insert goes
through, undo included, from slices of the text it has in hand; triggers take a
deleted or changed text's windows out (and add a changed text's), where SQL's substr
walks the text, too slowly for every import but soon enough for those. PostgreSQL's
GIN index holds whole texts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from thematica.store.schema import CHUNKS_PER_SOURCE, chunk_id

# A window's words are taken out by cutting its text again: changing either number
# needs a migration that builds the index afresh (reindex_sql).
WINDOW = 8000
OVERLAP = 500
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


def add_windows(conn: Connection, texts: Iterable[tuple[int, str]]) -> None:
    """Index the windows of each ``(source_id, text)``: the same windows as
    :func:`windows_sql` cuts."""
    rows = [
        (chunk_id(source_id, n), text[at : at + WINDOW + OVERLAP])
        for source_id, text in texts
        for n, at in enumerate(range(0, len(text), WINDOW))
    ]
    if rows:
        cursor = conn.connection.cursor()
        try:
            cursor.executemany("INSERT INTO source_fts(rowid, text) VALUES (?, ?)", rows)
        finally:
            cursor.close()


def windows_sql(row: str, table: str = "") -> str:
    """``SELECT rowid, text`` of each window of ``row``: ``new`` or ``old`` in a
    trigger, or each row of ``table`` named ``row``.

    SQLite allows no WITH in a trigger, so the window numbers come from ``json_each``
    over a list of as many zeros.
    """
    count = f"((length({row}.text) + {WINDOW - 1}) / {WINDOW})"
    zeros = f"'[' || substr(replace(hex(zeroblob({count})), '00', '0,'), 1, 2 * {count} - 1) || ']'"
    return (
        f"SELECT {row}.id * {CHUNKS_PER_SOURCE} + key, "
        f"substr({row}.text, key * {WINDOW} + 1, {WINDOW + OVERLAP}) "
        f"FROM {table + ', ' if table else ''}json_each({zeros}) WHERE length({row}.text) > 0"
    )


def reindex_sql() -> list[str]:
    """The statements that build the index afresh from every source's text."""
    return [
        "INSERT INTO source_fts(source_fts) VALUES ('delete-all')",
        f"INSERT INTO source_fts(rowid, text) {windows_sql('source', 'source')}",
    ]
