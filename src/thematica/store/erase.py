"""Erasing data for good: the rows that depend on it, the audit log's copies of it, and
the file's free space.

Used by a participant's withdrawal of consent (:meth:`thematica.ingest.cases.Cases.withdraw`):

>>> gone = dependent_rows(tx.conn, {"case": {7}, "source": {3}})
>>> delete_rows(tx, gone)
>>> erase_from_log(tx.conn, gone, mentions=["interview-07.txt", "Mother 7"], key="7")
>>> wipe_free_space(project.engine)      # after the commit

Which rows depend on what is read from the schema's foreign keys (``schema.metadata``),
never from a list of tables, so a table added later with a key to a source, a case or
any row that depends on them (a coding, a memo) is covered without a change here. A
reference held without a foreign key is not followed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Table, select, update
from sqlalchemy.engine import Connection, Engine

from thematica.store.changes import Writer
from thematica.store.fts import reindex_sql
from thematica.store.schema import audit, metadata

ERASED = {"erased": "withdrawal of consent"}
# Events that changed these rows held the participant's own record (their attribute
# values among it): nothing of such an event's details is kept, not even numbers.
PERSONAL = ("case", "case_value")


def _links() -> list[tuple[Table, Column, str]]:
    """(table, column, referred table name) for every foreign key in the schema."""
    return [
        (table, fk.parent, fk.column.table.name)
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
    ]


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for at in range(0, len(ids), size):
        yield list(ids[at : at + size])


def dependent_rows(conn: Connection, roots: Mapping[str, Iterable[int]]) -> dict[str, set[int]]:
    """The root rows (``{table name: ids}``) and every row that points at one of them
    through a chain of foreign keys, as ``{table name: ids}``.

    >>> dependent_rows(conn, {"source": {3}})["coding"]
    {12, 13, 40}
    """
    found: dict[str, set[int]] = {name: set(ids) for name, ids in roots.items()}
    links = _links()
    pending = [(name, sorted(ids)) for name, ids in found.items() if ids]
    while pending:
        referred, ids = pending.pop()
        for table, column, target in links:
            if target != referred:
                continue
            new: set[int] = set()
            for chunk in _chunks(ids):
                new.update(conn.execute(select(table.c.id).where(column.in_(chunk))).scalars())
            new -= found.setdefault(table.name, set())
            if new:
                found[table.name] |= new
                pending.append((table.name, sorted(new)))
    return {name: ids for name, ids in found.items() if ids}


def delete_rows(writer: Writer, rows: Mapping[str, set[int]]) -> dict[str, int]:
    """Delete ``rows`` (``{table name: ids}``), the rows that point at others first;
    return how many went from each table."""
    counts = {}
    for table in reversed(metadata.sorted_tables):
        ids = sorted(rows.get(table.name, ()))
        if ids:
            writer.delete_many(table, ids)
            counts[table.name] = len(ids)
    return counts


def erase_from_log(
    conn: Connection,
    rows: Mapping[str, set[int]],
    mentions: Sequence[str],
    key: str,
) -> int:
    """Erase what earlier audit events keep of ``rows`` and of the names in ``mentions``;
    return how many events were changed.

    An event changed ``rows`` (or rows that pointed at them and were deleted since: the
    log's own copies are followed too), or names one of ``mentions`` (source names, the
    participant's label) or the case ``key`` in its target or details. Such an event
    keeps who, when and what action; its row changes (the data undo would use, holding
    whole rows of text) go, the names in its target become ``[withdrawn]``, and its
    details (before and after) keep only their numbers, or nothing where the event
    changed the participant's own record.
    """
    events = conn.execute(
        select(audit.c.id, audit.c.target, audit.c.before, audit.c.after, audit.c.changes)
    ).all()
    touched = _follow_log(rows, [e.changes or [] for e in events])
    ordered = {name: sorted(ids) for name, ids in touched.items()}
    pattern = _names_pattern(mentions)
    changed = 0
    for event in events:
        hits = _rows_hit(event.changes or [], ordered)
        named = _names(event.target, event.before, event.after, pattern, key)
        if not hits and not named:
            continue
        personal = bool(hits & set(PERSONAL))
        target = pattern.sub("[withdrawn]", event.target) if pattern else event.target
        after = _numbers(event.after)
        values = {
            "target": "[withdrawn]" if target == key else target,
            "before": None if personal else _numbers(event.before),
            "after": {**after, **ERASED} if isinstance(after, dict) and not personal else ERASED,
            "changes": None,
        }
        conn.execute(update(audit).where(audit.c.id == event.id).values(**values))
        changed += 1
    return changed


def _follow_log(
    rows: Mapping[str, set[int]], changes: Sequence[Sequence[Mapping[str, Any]]]
) -> dict[str, set[int]]:
    """``rows`` plus the rows the log shows were deleted while they pointed at them."""
    found = {name: set(ids) for name, ids in rows.items()}
    keys = {
        table.name: [(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys]
        for table in metadata.sorted_tables
    }
    grown = True
    while grown:
        grown = False
        for event in changes:
            for change in event:
                if change["op"] == "insert":
                    continue
                name = change["table"]
                for row in change["rows"]:
                    values = {**row.get("before", {}), **row.get("after", {}), **row}
                    if row["id"] in found.get(name, ()):
                        continue
                    if any(values.get(c) in found.get(t, ()) for c, t in keys.get(name, ())):
                        found.setdefault(name, set()).add(row["id"])
                        grown = True
    return found


def _rows_hit(changes: Sequence[Mapping[str, Any]], rows: Mapping[str, list[int]]) -> set[str]:
    """The tables in which ``changes`` touched one of ``rows`` (sorted ids per table)."""
    hit = set()
    for change in changes:
        ids = rows.get(change["table"])
        if not ids:
            continue
        if change["op"] == "insert":
            # Inserts are stored as [first, last] runs of ids.
            if any(_any_between(ids, first, last) for first, last in change["ids"]):
                hit.add(change["table"])
        elif any(_any_between(ids, row["id"], row["id"]) for row in change["rows"]):
            hit.add(change["table"])
    return hit


def _any_between(ids: list[int], first: int, last: int) -> bool:
    at = bisect.bisect_left(ids, first)
    return at < len(ids) and ids[at] <= last


def _names_pattern(mentions: Sequence[str]) -> re.Pattern[str] | None:
    names = sorted({m for m in mentions if m}, key=len, reverse=True)
    if not names:
        return None
    # Whole names only: "Mother 1" is not in "Mother 10".
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _names(target: str, before: Any, after: Any, pattern: re.Pattern | None, key: str) -> bool:
    for text in _strings([target, before, after]):
        if text == key or (pattern and pattern.search(text)):
            return True
    return False


def _numbers(value: Any) -> Any:
    """``value`` with its words dropped: numbers and booleans kept, in their places."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        kept = {k: _numbers(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        kept = [_numbers(v) for v in value]
        return [v for v in kept if v is not None and v != {} and v != []]
    return None


def wipe_free_space(engine: Engine) -> bool:
    """Rewrite the database so that deleted rows leave no trace in it; return False if
    another process kept part of the write-ahead log in use.

    SQLite: the full-text index is rebuilt (a deleted document's words linger in its
    segments until they are merged), VACUUM rewrites the file from the live rows only
    (free pages go), and a TRUNCATE checkpoint moves the write-ahead log into the file
    and empties it. PostgreSQL: VACUUM FULL rewrites every table into new files; the
    old files are unlinked, and what the server's write-ahead log, replicas and backups
    keep is beyond a client's reach (see docs/security.md).
    """
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in metadata.sorted_tables:
                conn.exec_driver_sql(f'VACUUM FULL "{table.name}"')
        return True
    # Pooled connections would hold the log open; the next use opens fresh ones.
    engine.dispose()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA secure_delete = ON")
        for statement in reindex_sql():
            cursor.execute(statement)
        cursor.execute("VACUUM")
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        cursor.close()
    finally:
        raw.close()
    engine.dispose()
    return busy == 0
