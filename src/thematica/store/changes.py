"""Row changes recorded inside a write transaction, and their inverse for undo.

Every write in a project goes through a :class:`Writer`, which performs the change and
remembers it in a compact, JSON-ready form. The audit event of the transaction stores
that list; undoing the event applies the inverse of each change in reverse order. This is
the one mechanism behind undo, so no operation needs an undo of its own.
"""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from thematica.store.fts import add_windows
from thematica.store.schema import TABLES

Row = Mapping[str, Any]


def _ranges(ids: Sequence[int]) -> list[list[int]]:
    """Compress ids into inclusive ``[first, last]`` runs: 100,000 new codings stay small."""
    runs: list[list[int]] = []
    _extend_ranges(runs, ids)
    return runs


def _extend_ranges(runs: list[list[int]], ids: Sequence[int]) -> None:
    for value in ids:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])


def _expand(runs: Iterable[Sequence[int]]) -> list[int]:
    return [value for first, last in runs for value in range(first, last + 1)]


class Writer:
    """Performs inserts, updates and deletes on one connection and records them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.changes: list[dict[str, Any]] = []
        # The next rowid SQLite will assign, per table, while this writer holds the lock.
        self._next_id: dict[str, int] = {}

    def insert(self, table: Table, values: Row) -> int:
        if self.conn.dialect.name == "sqlite" and "id" not in values:
            new_id = _executemany_sqlite(self.conn, table, [values])
        else:
            new_id = self.conn.execute(insert(table), dict(values)).inserted_primary_key[0]
        if "id" in values:
            self._next_id.pop(table.name, None)  # an explicit id may be above the max
        else:
            self._next_id[table.name] = new_id + 1
        self._inserted(table, [new_id], [values])
        return new_id

    def insert_many(self, table: Table, rows: Sequence[Row]) -> list[int]:
        """Insert rows in one executemany; return their ids in the order given."""
        if not rows:
            return []
        rows = list(rows)
        if self.conn.dialect.name != "sqlite":
            rows = _uniform(table, rows)
        if all("id" in row for row in rows):
            if self.conn.dialect.name == "sqlite":
                _executemany_sqlite(self.conn, table, rows, with_id=True)
            else:
                self.conn.execute(insert(table), rows)
            self._next_id.pop(table.name, None)
            ids = [row["id"] for row in rows]
        elif self.conn.dialect.name == "sqlite":
            # SQLite cannot return ids of a multi-row insert in order, and asking for them
            # costs one statement per row. The write lock is ours for the whole
            # transaction and rowids are assigned as max + 1, so the ids are known.
            first = self._next_id.get(table.name)
            if first is None:
                first = (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            last = _executemany_sqlite(self.conn, table, rows)
            if last != first + len(rows) - 1:
                raise RuntimeError(f"unexpected ids inserting into {table.name}")
            self._next_id[table.name] = last + 1
            ids = list(range(first, last + 1))
        else:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = list(self.conn.execute(statement, rows).scalars())
        self._inserted(table, ids, rows)
        return ids

    def update(self, table: Table, row_id: int, values: Row) -> None:
        self.update_many(table, [row_id], values)

    def update_many(self, table: Table, row_ids: Sequence[int], values: Row) -> None:
        """Set the same ``values`` on every row in ``row_ids``."""
        self.update_each(table, {row_id: values for row_id in row_ids})

    def update_each(self, table: Table, values_by_id: Mapping[int, Row]) -> None:
        """Set different values on each row: ``{id: {column: value}}``."""
        if not values_by_id:
            return
        columns = sorted({c for values in values_by_id.values() for c in values})
        before = self._rows(table, list(values_by_id), columns)
        changed = []
        for row_id, values in values_by_id.items():
            old = before[row_id]
            if any(old[c] != v for c, v in values.items()):
                changed.append(
                    {"id": row_id, "before": {c: old[c] for c in values}, "after": dict(values)}
                )
                self.conn.execute(update(table).where(table.c.id == row_id).values(**values))
        if changed:
            self.changes.append({"op": "update", "table": table.name, "rows": changed})

    def delete_many(self, table: Table, row_ids: Sequence[int]) -> None:
        if not row_ids:
            return
        rows = list(self._rows(table, list(row_ids), [c.name for c in table.columns]).values())
        self._next_id.pop(table.name, None)  # SQLite may reuse the ids of deleted rows
        for chunk in _chunks(list(row_ids)):
            self.conn.execute(delete(table).where(table.c.id.in_(chunk)))
        self.changes.append({"op": "delete", "table": table.name, "rows": rows})

    def delete(self, table: Table, row_id: int) -> None:
        self.delete_many(table, [row_id])

    def _inserted(self, table: Table, ids: Sequence[int], rows: Sequence[Row]) -> None:
        if table.name == "source" and self.conn.dialect.name == "sqlite":
            add_windows(self.conn, zip(ids, (row["text"] for row in rows), strict=True))
        self._record_insert(table, ids)

    def _record_insert(self, table: Table, ids: Sequence[int]) -> None:
        last = self.changes[-1] if self.changes else None
        if last and last["op"] == "insert" and last["table"] == table.name:
            _extend_ranges(last["ids"], ids)
        else:
            self.changes.append({"op": "insert", "table": table.name, "ids": _ranges(ids)})

    def _rows(self, table: Table, ids: list[int], columns: list[str]) -> dict[int, dict]:
        wanted = [table.c.id, *(table.c[c] for c in columns if c != "id")]
        found: dict[int, dict] = {}
        for chunk in _chunks(ids):
            for row in self.conn.execute(select(*wanted).where(table.c.id.in_(chunk))).mappings():
                found[row["id"]] = dict(row)
        return found


def _uniform(table: Table, rows: list[Row]) -> list[Row]:
    """``rows`` all naming the same columns, a column some leave out at its default.

    SQLAlchemy's executemany binds the columns the first row names and no others, so a
    value that only a later row gives would be lost without a word."""
    names = set().union(*rows)
    if all(len(row) == len(names) for row in rows):
        return rows
    if "id" in names and not all("id" in row for row in rows):
        raise ValueError(f"rows for {table.name} must all give an id or none give one")
    defaults = {c.name: c.default.arg for c in table.columns if c.default is not None}
    return [{name: row.get(name, defaults.get(name)) for name in names} for row in rows]


def _executemany_sqlite(
    conn: Connection, table: Table, rows: Sequence[Row], with_id: bool = False
) -> int:
    """Hand the rows straight to sqlite3 and return the rowid of the last one.

    Going through SQLAlchemy costs more than the insert itself when a transcript brings a
    hundred speaker turns; for plain columns there is nothing to convert, so the
    statement and tuples go to the driver's cursor directly. Only the columns the rows
    name are bound (when they all name the same ones); the rest take their defaults.
    """
    if any(isinstance(c.type, JSON) for c in table.columns):
        conn.execute(insert(table), list(rows))
        return conn.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    first = rows[0]
    named = tuple(first) if all(len(row) == len(first) for row in rows) else None
    sql, columns, defaults = _plain_insert(table, with_id, named)
    try:
        values = list(map(itemgetter(*columns), rows)) if len(columns) > 1 else None
    except KeyError:  # the rows name different columns, or leave some to their defaults
        values = None
    if values is None:
        sql, columns, defaults = _plain_insert(table, with_id, None)
        values = [tuple(row.get(c, defaults.get(c)) for c in columns) for row in rows]
    cursor = conn.connection.cursor()
    try:
        if len(values) == 1:
            return cursor.execute(sql, values[0]).lastrowid
        cursor.executemany(sql, values)
        return cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
    finally:
        cursor.close()


@cache
def _plain_insert(
    table: Table, with_id: bool, named: tuple[str, ...] | None
) -> tuple[str, list[str], dict[str, Any]]:
    """The insert of ``named`` columns (every column if None) and of each column with a
    default in Python, which the database would not fill in."""
    columns = [
        c.name
        for c in table.columns
        if (with_id or c.name != "id")
        and (named is None or c.name in named or c.default is not None)
    ]
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    defaults = {c.name: c.default.arg for c in table.columns if c.default is not None}
    return f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', columns, defaults


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for at in range(0, len(ids), size):
        yield ids[at : at + size]


def revert(writer: Writer, changes: Sequence[Mapping[str, Any]]) -> None:
    """Apply the inverse of ``changes`` (newest first) through ``writer``."""
    for change in reversed(changes):
        table = TABLES[change["table"]]
        if change["op"] == "insert":
            writer.delete_many(table, _expand(change["ids"]))
        elif change["op"] == "delete":
            writer.insert_many(table, change["rows"])
        elif change["op"] == "update":
            writer.update_each(
                table, {row["id"]: row["before"] for row in reversed(change["rows"])}
            )
